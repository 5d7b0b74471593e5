package io.genworker.tracking;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import io.genworker.job.Cancellation;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/**
 * One job-log partition assigned to this worker: replayed from its beginning up to its end offset at assignment,
 * then read live. Decides what each record means (a new job, a repeated job id, a previous owner's late result, the
 * echo of this worker's own transition) and returns the decision; the tracker carries it out. Knows nothing of
 * Kafka or Vert.x, so its rules are tested as record sequences in, decisions out.
 * <p>
 * Finished jobs are remembered compactly ({@link FinishedJobs}): a repeated id of one is a {@link MaybeDuplicate}
 * until the tracker has read the job's terminal record back and seen the same id.
 */
final class PartitionReplay {

    /** What a record asks of the tracker. */
    sealed interface Decision {
    }

    /**
     * Take the job over.
     *
     * @param reassert the job's newest state must be written again first: the newest record in the log is a
     *        repeated REQUESTED, which compaction must not keep as its last word
     * @param cancel a cancel command for the job not carried out yet (the job then ends CANCELLED), or null
     */
    record Adopt(JobRecord record, boolean reassert, Cancellation cancel) implements Decision {

        Adopt(JobRecord record, boolean reassert) {
            this(record, reassert, null);
        }
    }

    /** A cancel command for a job in flight here: the tracker carries it out (or, finishing already, ignores it). */
    record Cancel(Cancellation cancellation) implements Decision {
    }

    /**
     * A cancel command for a job waiting parked: it is read back and adopted without waiting for a place, to end
     * cancelled (see {@link #nextCancelledToUnpark}).
     */
    record CancelParked() implements Decision {
    }

    /** A cancel command for a job that has ended (here, or before the replay's end): nothing changes. */
    record CancelTooLate(String jobId) implements Decision {
    }

    /**
     * A cancel command for a job id not seen: kept until its request comes (the job then ends cancelled, never
     * submitted) or the dedup window passes; nothing is published for it meanwhile.
     *
     * @param kept false when the partition already keeps {@link #MAX_AWAITING} such commands and drops this one
     */
    record CancelAwaitingRequest(boolean kept) implements Decision {
    }

    /**
     * A repeated job id of a job in flight here: no provider call; its current state goes back to the log.
     *
     * @param refusal the repeat is a refusal, which carries no input: even a job still waiting in REQUESTED must be
     *        written again, or a replay after compaction would find only the refusal
     */
    record Duplicate(boolean refusal) implements Decision {

        Duplicate() {
            this(false);
        }
    }

    /**
     * The fingerprint of a job that finished here, after its terminal record (at {@code terminalOffset}). Read that
     * record back: the same job id means the job is finished and its terminal record goes back to the head of the
     * log (compaction must keep it as the job's last word); another id means a new job whose id's fingerprint
     * collides, to adopt from {@code record}.
     *
     * @param repeatedRequest whether the record is a repeated request (counted as a duplicate), rather than a
     *        transition that landed after the result
     */
    record MaybeDuplicate(JobRecord record, long terminalOffset, boolean repeatedRequest) implements Decision {
    }

    /** A repeated request of a job that finished here, whose terminal record comes later in the log: count it. */
    record DuplicateBeforeItsResult() implements Decision {
    }

    /** A previous owner finished this job after the replay boundary (its transaction committed late). */
    record FinishedElsewhere(JobRecord terminal) implements Decision {
    }

    /**
     * An unfinished job the replay found past the cap of jobs in flight: kept by its id and the offset of its newest
     * record only, it waits here until there is room, then its record is read back and it is adopted (see
     * {@link #unparked}). Its input stays in the log meanwhile.
     */
    record Parked(String jobId, long offset) implements Decision {
    }

    /**
     * A repeated request of a job that waits parked: no provider call, counted.
     *
     * @param restate the parked record to write again now, because the request became the job's newest record and
     *        compaction (after its lag) would delete the parked one; null when the request itself is as good
     */
    record DuplicateOfParked(Parked restate) implements Decision {
    }

    /** A parked job whose newest record in the log is a request that superseded its state: write it again. */
    record RestateParked(Parked parked) implements Decision {
    }

    /** Nothing to do: the echo of a transition this worker wrote, or a finished job's own record. */
    record Echo() implements Decision {
    }

    private static final Echo ECHO = new Echo();
    /**
     * Cancel commands for job ids not seen that a partition keeps at most (about 200 bytes each): a flood of
     * commands naming no job must not grow memory without bound.
     */
    static final int MAX_AWAITING = 10_000;

    private final ReplayRoom room;
    private boolean replaying = true;
    /** During replay: the newest record of every unfinished job seen so far, while there is room for it. */
    private final Map<String, JobRecord> replayed = new LinkedHashMap<>();
    /**
     * Unfinished jobs kept by offset: during replay those past the room for full records, after it those waiting
     * for a place in flight, in the order they were found.
     */
    private final ParkedSet parked = new ParkedSet();
    /** Where the record of each job about to be adopted lies (see {@link #takeAdoptedOffset}). */
    private final Map<String, Long> adoptedAt = new HashMap<>();
    /** Parked jobs whose record is being read back. */
    private final Set<String> unparking = new HashSet<>();
    /** During replay: jobs whose newest record is a repeated REQUESTED that must not become their last word. */
    private final Set<String> needsReassert = new HashSet<>();
    /**
     * Cancel commands not carried out yet: during replay all of them, after it those of parked jobs (adopted first,
     * whatever the room, to end cancelled) and those of job ids not seen (carried out when the request comes).
     */
    private final Map<String, Cancellation> cancels = new HashMap<>();
    /** Parked jobs with a cancel command: read back first (the commands themselves are in {@link #cancels}). */
    private final Set<String> cancelledParked = new LinkedHashSet<>();
    /** During replay: records that came after the terminal record of a finished job's fingerprint. */
    private final Map<String, JobRecord> afterFinish = new LinkedHashMap<>();
    /** Jobs of this partition in flight here. */
    private final Set<String> active = new HashSet<>();
    private final FinishedJobs finished = new FinishedJobs();
    /** Jobs finished here whose terminal record has not come back from the log yet, by fingerprint. */
    private final Map<Long, String> awaitingTerminal = new HashMap<>();

    /** A replay with no cap on the jobs it holds in full (tests of the other rules). */
    PartitionReplay() {
        this(ReplayRoom.unlimited());
    }

    /** @param room how many unfinished jobs the replays may hold in full, shared by the worker's partitions */
    PartitionReplay(ReplayRoom room) {
        this.room = room;
    }

    boolean replaying() {
        return replaying;
    }

    /** A record read before the replay's end, at its offset: it only rebuilds the jobs' state. */
    void replay(JobRecord record, long offset) {
        String id = record.jobId();
        if (record.state().isTerminal()) {
            replayFinished(id, offset, finishedAt(record));
            return;
        }
        long fingerprint = FinishedJobs.fingerprint(id);
        if (record.state() == JobState.CANCEL_REQUESTED) {
            if (replayed.containsKey(id) || parked.contains(id) || !finished.contains(fingerprint)) {
                // For a job under way, or one whose request may still come: carried out once it is adopted.
                cancels.putIfAbsent(id, record.cancellation());
            }
            return;
        }
        JobRecord full = replayed.get(id);
        ParkedSet.Kept kept = parked.get(id);
        JobState previousState = full != null ? full.state() : kept != null ? kept.state() : null;
        int previousAttempts = full != null ? full.submitAttempts() : kept != null ? kept.submitAttempts() : 0;
        if (previousState == null && finished.contains(fingerprint)) {
            // A finished job stays finished: a repeated request, or a re-assertion or withdrawal that landed after
            // the result transaction (two producers, no order between them), must not bring it back to life.
            afterFinish.put(id, record);
        } else if (previousState != null && record.state() == JobState.REFUSED) {
            // A refused request for a job id already known: counted as a duplicate when acted on, never answered.
            needsReassert.add(id);
        } else if (previousState != null && previousState != JobState.REQUESTED
                && record.state() == JobState.REQUESTED && !withdraws(previousState, previousAttempts, record)) {
            // A repeated request for a job already under way.
            needsReassert.add(id);
        } else {
            if (full != null || (kept == null && room.take())) {
                replayed.put(id, record);
                adoptedAt.put(id, offset);
            } else if (record.state() == JobState.ARCHIVING) {
                // A paid video waits for its copy against the provider's retention and calls no provider: never
                // parked behind the cap or a paused provider. Its record holds no input: adopting it costs little.
                room.takeAnyway();
                parked.remove(id);
                replayed.put(id, record);
                adoptedAt.put(id, offset);
            } else {
                parked.put(id, record, offset);
            }
            needsReassert.remove(id);
        }
    }

    /**
     * A terminal record read before the replay's end, at its offset: all it tells the replay is that the job
     * finished, and when (for the dedup window), so the tracker need not read the rest of its body. The same as
     * {@link #replay} of the record.
     */
    void replayFinished(String jobId, long offset, Instant finishedAt) {
        if (replayed.remove(jobId) != null) {
            room.release(1);
            adoptedAt.remove(jobId);
        }
        parked.remove(jobId);
        needsReassert.remove(jobId);
        afterFinish.remove(jobId);
        cancels.remove(jobId);
        finished.put(FinishedJobs.fingerprint(jobId), offset, finishedAt);
    }

    /**
     * The replay reached its end: every unfinished job to adopt, in first-seen order, then the finished jobs whose
     * terminal record must be confirmed and written again.
     */
    List<Decision> finishReplay() {
        replaying = false;
        room.release(replayed.size());
        List<Decision> decisions = new ArrayList<>(replayed.size() + parked.size() + afterFinish.size());
        for (JobRecord record : replayed.values()) {
            decisions.add(new Adopt(record, needsReassert.contains(record.jobId()), cancels.remove(record.jobId())));
        }
        parked.forEach((id, kept) -> {
            decisions.add(new Parked(id, kept.offset()));
            if (needsReassert.contains(id)) {
                decisions.add(new RestateParked(new Parked(id, kept.offset())));
            }
        });
        afterFinish.forEach((id, record) -> decisions.add(new MaybeDuplicate(record,
                finished.offsetOf(FinishedJobs.fingerprint(id)), isRequest(record))));
        replayed.clear();
        afterFinish.clear();
        needsReassert.removeIf(id -> !parked.contains(id));
        cancels.keySet().stream().filter(parked::contains).forEach(cancelledParked::add);
        return decisions;
    }

    /** Unfinished jobs this replay holds in full, places of the room. */
    int holding() {
        return replaying ? replayed.size() : 0;
    }

    /** The partition is let go during its replay: the room its full records held is free again. */
    void abandon() {
        if (replaying) {
            room.release(replayed.size());
            replayed.clear();
            adoptedAt.clear();
        }
    }

    /** Whether the job still waits parked at this record (nothing newer of it was read since). */
    boolean parkedAt(Parked parked) {
        ParkedSet.Kept kept = this.parked.get(parked.jobId());
        return kept != null && kept.offset() == parked.offset();
    }

    /** Parked jobs, waiting for a place in flight or for their provider. */
    int parkedCount() {
        return parked.size();
    }

    /** Parked jobs of the providers the predicate names. */
    int parkedCount(Predicate<String> providers) {
        return parked.countOf(providers);
    }

    /** The next parked job to read back and adopt, marked as being read; null when none waits unread. */
    Parked nextToUnpark() {
        return nextToUnpark(provider -> true, kept -> true);
    }

    /**
     * The next parked job of a provider the first predicate takes, and that the second takes, to read back and
     * adopt, marked as being read; null when none waits unread.
     */
    Parked nextToUnpark(Predicate<String> providers, Predicate<ParkedSet.Kept> wanted) {
        if (replaying) {
            return null;
        }
        for (String provider : parked.providers()) {
            if (!providers.test(provider)) {
                continue;
            }
            Map.Entry<String, ParkedSet.Kept> next = parked.first(provider, unparking, wanted);
            if (next != null) {
                unparking.add(next.getKey());
                return new Parked(next.getKey(), next.getValue().offset());
            }
        }
        return null;
    }

    /**
     * A job in flight here that must wait for its provider (whose account is refused) steps out of flight: parked
     * at its newest record, whose offset the tracker followed, and read back when the provider may be called.
     */
    void parkWaiting(JobRecord record, long offset) {
        active.remove(record.jobId());
        parked.put(record.jobId(), record, offset);
    }

    /**
     * Where the record a job was just adopted from lies in the log (-1 if not known here: a fingerprint's
     * confirmation adopts from a record read elsewhere); asked once, by the adoption.
     */
    long takeAdoptedOffset(String jobId) {
        Long offset = adoptedAt.remove(jobId);
        return offset == null ? -1 : offset;
    }

    /**
     * A parked job's record was read back. Returns how to adopt it when it is still the job's newest record, null
     * otherwise: the job finished meanwhile (a previous owner's late result), or a newer record arrived (it is read
     * back again, from its own offset, on the next turn).
     */
    Adopt unparked(Parked read, JobRecord record) {
        unparking.remove(read.jobId());
        ParkedSet.Kept kept = parked.get(read.jobId());
        if (kept == null || kept.offset() != read.offset() || !record.jobId().equals(read.jobId())) {
            return null;
        }
        parked.remove(read.jobId());
        adoptedAt.put(read.jobId(), read.offset());
        cancelledParked.remove(read.jobId());
        return new Adopt(record, needsReassert.remove(read.jobId()), cancels.remove(read.jobId()));
    }

    /**
     * The next parked job with a cancel command to carry out, marked as being read; null when none waits unread.
     * These are read back whatever the room and the provider's state: they leave flight as soon as they are in it.
     */
    Parked nextCancelledToUnpark() {
        if (replaying) {
            return null;
        }
        for (String id : cancelledParked) {
            ParkedSet.Kept kept = parked.get(id);
            if (kept != null && !unparking.contains(id)) {
                unparking.add(id);
                return new Parked(id, kept.offset());
            }
        }
        return null;
    }

    /** The provider of a parked job (the queue it waits in); null if it is no longer parked. */
    String parkedProvider(Parked parked) {
        ParkedSet.Kept kept = this.parked.get(parked.jobId());
        return kept == null ? null : kept.provider();
    }

    /** Reading a parked job back failed: it is tried again on a later turn. */
    void unparkFailed(Parked read) {
        unparking.remove(read.jobId());
    }

    /** A parked job whose record the log no longer holds: nothing is left to adopt it from. */
    void forgetParked(Parked read) {
        unparking.remove(read.jobId());
        parked.remove(read.jobId());
        needsReassert.remove(read.jobId());
        cancels.remove(read.jobId());
        cancelledParked.remove(read.jobId());
    }

    /**
     * Whether the state a live record's header names settles it, so that its body need not be read: most live
     * records are echoes of this worker's transitions. A finished job's own terminal record only moves the offset
     * its dedup entry points at.
     *
     * @param runningHere the newest state this worker sent for the job, or null if it does not drive it
     */
    boolean settledByHeader(String jobId, JobState header, JobState runningHere, long offset) {
        if (header == null || header == JobState.REQUESTED || header == JobState.REFUSED
                || header == JobState.CANCEL_REQUESTED || parked.contains(jobId)) {
            // (A parked job's records always go to its parked entry, never to a fingerprint's.)
            // A repeated request, or the tracker's own withdrawal or refused submission: only the body's attempt
            // count tells them apart. They are rare, so they are parsed.
            return false;
        }
        if (runningHere != null) {
            // A terminal record for a job still running here came from a previous owner: its body matters.
            return !header.isTerminal() || runningHere.isTerminal();
        }
        long fingerprint = FinishedJobs.fingerprint(jobId);
        if (!finished.contains(fingerprint) || !header.isTerminal()) {
            // A transition after a finished job's result: read, to put the result back after it (see live).
            return false;
        }
        terminalRead(fingerprint, offset);
        return true;
    }

    /**
     * A record read after the replay, at its offset.
     *
     * @param runningHere the newest state this worker sent for the job, or null if it does not drive it
     */
    Decision live(JobRecord record, JobState runningHere, long offset) {
        long fingerprint = FinishedJobs.fingerprint(record.jobId());
        ParkedSet.Kept kept = parked.get(record.jobId());
        if (kept != null && runningHere == null) {
            return liveWhileParked(record, kept, fingerprint, offset);
        }
        if (runningHere != null) {
            if (record.state() == JobState.CANCEL_REQUESTED) {
                return new Cancel(record.cancellation());
            }
            if (record.state() == JobState.REFUSED) {
                return new Duplicate(true);
            }
            if (record.state() == JobState.REQUESTED) {
                // With attempts, the tracker wrote it (a refused submission): an echo, not a new request.
                return record.submitAttempts() == 0 ? new Duplicate() : ECHO;
            }
            return record.state().isTerminal() && !runningHere.isTerminal()
                    ? new FinishedElsewhere(record.withoutInput()) : ECHO;
        }
        long terminalOffset = finished.offsetOf(fingerprint);
        if (record.state() == JobState.CANCEL_REQUESTED) {
            return liveCancelOfNoJobHere(record, terminalOffset, fingerprint);
        }
        if (terminalOffset == FinishedJobs.ABSENT) {
            if (record.state().isTerminal()) {
                cancels.remove(record.jobId());
                finished.put(fingerprint, offset, finishedAt(record));
                return ECHO;
            }
            return adoptLive(record, offset);
        }
        if (record.state().isTerminal()) {
            terminalRead(fingerprint, offset);
            return ECHO;
        }
        boolean repeatedRequest = isRequest(record);
        if (terminalOffset == FinishedJobs.NOT_YET_READ) {
            // Finished here a moment ago: its terminal record follows this one in the log, so it stays the job's
            // last word. The id kept until then confirms it is the same job.
            if (!record.jobId().equals(awaitingTerminal.get(fingerprint))) {
                return adoptLive(record, offset);
            }
            return repeatedRequest ? new DuplicateBeforeItsResult() : ECHO;
        }
        // After the job's result: a repeated request, or a transition that landed late (a re-assertion or a
        // withdrawal from another producer). Either must not stay the job's last word once compaction runs.
        return new MaybeDuplicate(record, terminalOffset, repeatedRequest);
    }

    private Decision liveWhileParked(JobRecord record, ParkedSet.Kept kept, long fingerprint, long offset) {
        String id = record.jobId();
        if (record.state().isTerminal()) {
            // A previous owner's late result: the job is finished, nothing to adopt.
            parked.remove(id);
            needsReassert.remove(id);
            cancels.remove(id);
            cancelledParked.remove(id);
            finished.put(fingerprint, offset, finishedAt(record));
            return ECHO;
        }
        if (record.state() == JobState.CANCEL_REQUESTED) {
            // Its parked record stays where it is: the job is read back from it, at once, to end cancelled.
            cancels.putIfAbsent(id, record.cancellation());
            cancelledParked.add(id);
            return new CancelParked();
        }
        if (isRequest(record)) {
            // A repeated request: one job, counted. For a job under way (or a refusal) its state must be written
            // again after the repeat once it is adopted; for one not submitted yet a valid repeat is as good a
            // record of it.
            if (kept.state() == JobState.REQUESTED && record.state() == JobState.REQUESTED) {
                parked.put(id, record, offset);
                return new DuplicateOfParked(null);
            }
            needsReassert.add(id);
            return new DuplicateOfParked(new Parked(id, kept.offset()));
        }
        parked.put(id, record, offset);
        return ECHO;
    }

    private Adopt adoptLive(JobRecord record, long offset) {
        adoptedAt.put(record.jobId(), offset);
        // A request whose cancel command came first: adopted to end cancelled, never submitted.
        return new Adopt(record, false, cancels.remove(record.jobId()));
    }

    /**
     * A cancel command for a job neither in flight nor parked here: one that has ended (its fingerprint is
     * remembered; a colliding new id's command is taken for such, at odds of 2^-64 a pair), or an id not seen.
     */
    private Decision liveCancelOfNoJobHere(JobRecord command, long terminalOffset, long fingerprint) {
        String id = command.jobId();
        boolean sameJobAwaitingTerminal = terminalOffset == FinishedJobs.NOT_YET_READ
                && id.equals(awaitingTerminal.get(fingerprint));
        if (terminalOffset != FinishedJobs.ABSENT
                && (terminalOffset != FinishedJobs.NOT_YET_READ || sameJobAwaitingTerminal)) {
            return new CancelTooLate(id);
        }
        if (!cancels.containsKey(id) && cancels.size() >= MAX_AWAITING) {
            return new CancelAwaitingRequest(false);
        }
        cancels.putIfAbsent(id, command.cancellation());
        return new CancelAwaitingRequest(true);
    }

    /** The job is now driven here. */
    void started(String jobId) {
        active.add(jobId);
    }

    /**
     * The job finished (here or elsewhere): remembered for deduplication, no longer in flight.
     *
     * @param terminalOffset where its terminal record is in the log, or {@link FinishedJobs#NOT_YET_READ}
     */
    void finished(JobRecord terminal, long terminalOffset) {
        active.remove(terminal.jobId());
        long fingerprint = FinishedJobs.fingerprint(terminal.jobId());
        finished.put(fingerprint, terminalOffset, finishedAt(terminal));
        if (terminalOffset == FinishedJobs.NOT_YET_READ) {
            awaitingTerminal.put(fingerprint, terminal.jobId());
        }
    }

    /** The jobs of this partition in flight here. */
    Set<String> active() {
        return active;
    }

    /**
     * Forgets the finished jobs the job log no longer holds either (finished before the cut-off), and the cancel
     * commands whose request never came.
     */
    int pruneFinishedBefore(Instant cutoff) {
        cancels.entrySet().removeIf(e -> !parked.contains(e.getKey()) && e.getValue().requestedAt() != null
                && e.getValue().requestedAt().isBefore(cutoff));
        return finished.pruneFinishedBefore(cutoff);
    }

    /** Cancel commands kept for job ids not seen here, or for parked jobs. */
    int cancelsKept() {
        return cancels.size();
    }

    /** How many finished jobs are remembered, and the bytes that takes. */
    int finishedCount() {
        return finished.size();
    }

    long finishedBytes() {
        return finished.bytes();
    }

    private void terminalRead(long fingerprint, long offset) {
        finished.seen(fingerprint, offset);
        awaitingTerminal.remove(fingerprint);
    }

    private static Instant finishedAt(JobRecord terminal) {
        return terminal.finishedAt() != null ? terminal.finishedAt() : terminal.updatedAt();
    }

    /**
     * A REQUESTED the tracker wrote right after SUBMITTING attempt n (same attempt count): attempt n certainly never
     * reached the provider (refused, or its job was handed over before the call), so the job is back to REQUESTED.
     * A repeated request from intake carries no attempts and stays a duplicate.
     */
    /** A request from intake, valid (no attempts yet) or refused: the first of a job id, or a repeat. */
    private static boolean isRequest(JobRecord record) {
        return record.state() == JobState.REFUSED
                || (record.state() == JobState.REQUESTED && record.submitAttempts() == 0);
    }

    private static boolean withdraws(JobState previousState, int previousAttempts, JobRecord record) {
        return previousState == JobState.SUBMITTING && record.submitAttempts() > 0
                && record.submitAttempts() == previousAttempts;
    }
}
