package io.genworker.tracking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/**
 * One job-log partition assigned to this worker: replayed from its beginning up to its end offset at assignment,
 * then read live. Decides what each record means (a new job, a repeated job id, a previous owner's late result, the
 * echo of this worker's own transition) and returns the decision; the tracker carries it out. Knows nothing of
 * Kafka or Vert.x, so its rules are tested as record sequences in, decisions out.
 */
final class PartitionReplay {

    /** What a record asks of the tracker. */
    sealed interface Decision {
    }

    /**
     * Take the job over (a terminal one is only remembered, for deduplication).
     *
     * @param reassert the job's newest state must be written again first: the newest record in the log is a
     *        repeated REQUESTED, or a non-terminal record that landed after the job's result, which compaction must
     *        not keep as its last word
     */
    record Adopt(JobRecord record, boolean reassert) implements Decision {
    }

    /**
     * A repeated job id: no provider call; the job's current state goes back to the head of the log.
     *
     * @param finished the job's terminal record when it already finished here; null while it is in flight
     */
    record Duplicate(JobRecord finished) implements Decision {
    }

    /** A previous owner finished this job after the replay boundary (its transaction committed late). */
    record FinishedElsewhere(JobRecord terminal) implements Decision {
    }

    /** Nothing to do: the echo of a transition this worker wrote. */
    record Echo() implements Decision {
    }

    private static final Echo ECHO = new Echo();

    private boolean replaying = true;
    /** During replay: the newest record of every job seen so far. */
    private final Map<String, JobRecord> replayed = new LinkedHashMap<>();
    /** During replay: jobs whose newest record must not become their last word. */
    private final Set<String> needsReassert = new HashSet<>();
    /** Jobs of this partition in flight here. */
    private final Set<String> active = new HashSet<>();
    /** Finished jobs of this partition, kept (without input) to deduplicate repeated job ids. */
    private final Map<String, JobRecord> finished = new HashMap<>();

    boolean replaying() {
        return replaying;
    }

    /** A record read before the replay's end: it only rebuilds the jobs' state. */
    void replay(JobRecord record) {
        JobRecord previous = replayed.get(record.jobId());
        if (previous != null && previous.state() != JobState.REQUESTED && record.state() == JobState.REQUESTED
                && !withdraws(previous, record)) {
            // A repeated request for a job already under way.
            needsReassert.add(record.jobId());
        } else if (previous != null && previous.state().isTerminal() && !record.state().isTerminal()) {
            // A finished job stays finished: a re-assertion or withdrawal that landed after the result
            // transaction (two producers, no order between them) must not bring it back to life.
            needsReassert.add(record.jobId());
        } else {
            replayed.put(record.jobId(), record);
            needsReassert.remove(record.jobId());
        }
    }

    /** The replay reached its end: every job it rebuilt, in first-seen order, to adopt. */
    List<Adopt> finishReplay() {
        replaying = false;
        List<Adopt> adopt = new ArrayList<>(replayed.size());
        for (JobRecord record : replayed.values()) {
            adopt.add(new Adopt(record, needsReassert.contains(record.jobId())));
        }
        replayed.clear();
        needsReassert.clear();
        return adopt;
    }

    /**
     * Whether a live record needs its body read, judged from the state its header names: most live records are
     * echoes of this worker's transitions, which the header alone recognises.
     *
     * @param runningHere the newest state this worker sent for the job, or null if it does not drive it
     */
    boolean needsBody(String jobId, JobState header, JobState runningHere) {
        if (header == null || (runningHere == null && !finished.containsKey(jobId))) {
            return true;
        }
        if (header == JobState.REQUESTED) {
            // A repeated request, or the tracker's own withdrawal or refused submission: only the body's attempt
            // count tells them apart. They are rare, so they are parsed.
            return true;
        }
        // A terminal record for a job still running here came from a previous owner: its body matters.
        return header.isTerminal() && runningHere != null && !runningHere.isTerminal();
    }

    /**
     * A record read after the replay.
     *
     * @param runningHere the newest state this worker sent for the job, or null if it does not drive it
     */
    Decision live(JobRecord record, JobState runningHere) {
        JobRecord done = finished.get(record.jobId());
        if (runningHere == null && done == null) {
            return new Adopt(record, false);
        }
        if (record.state() == JobState.REQUESTED) {
            // With attempts, the tracker wrote it (a refused submission): an echo, not a new request.
            return record.submitAttempts() == 0 ? new Duplicate(done) : ECHO;
        }
        if (runningHere != null && record.state().isTerminal() && !runningHere.isTerminal()) {
            return new FinishedElsewhere(record.withoutInput());
        }
        return ECHO;
    }

    /** The job is now driven here. */
    void started(String jobId) {
        active.add(jobId);
    }

    /** The job finished (here or elsewhere): remembered for deduplication, no longer in flight. */
    void finished(JobRecord terminal) {
        active.remove(terminal.jobId());
        finished.put(terminal.jobId(), terminal);
    }

    /** The jobs of this partition in flight here. */
    Set<String> active() {
        return active;
    }

    /**
     * A REQUESTED the tracker wrote right after SUBMITTING attempt n (same attempt count): attempt n certainly never
     * reached the provider (refused, or its job was handed over before the call), so the job is back to REQUESTED.
     * A repeated request from intake carries no attempts and stays a duplicate.
     */
    private static boolean withdraws(JobRecord previous, JobRecord record) {
        return previous.state() == JobState.SUBMITTING && record.submitAttempts() > 0
                && record.submitAttempts() == previous.submitAttempts();
    }
}
