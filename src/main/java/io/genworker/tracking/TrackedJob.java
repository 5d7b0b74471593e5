package io.genworker.tracking;

import java.time.Instant;

import org.apache.kafka.common.TopicPartition;

import io.genworker.job.Cancellation;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.smallrye.mutiny.subscription.Cancellable;

/** A job this worker is driving. Only touched on the tracker's context, so it needs no locking. */
final class TrackedJob {

    final TopicPartition partition;
    /**
     * A request intake refused: it only gets its FAILED result. Its provider and model are the request's own words
     * (possibly unknown, unbounded): they never become metric tags.
     */
    final boolean tagless;
    /** The newest record the broker acknowledged. */
    JobRecord record;
    /** The newest record sent, acknowledged or not: what a re-assertion must repeat. */
    JobRecord latestSent;
    long timerId = -1;
    /** The provider-call slot this job holds, if any: released when the call ends or the job is dropped. */
    ProviderGates.Slot slot;
    int polls;
    /**
     * Whether the provider call of the current SUBMITTING attempt may have gone out. One that certainly did not (the
     * write was in flight, or the ownership lease held the call back) can be withdrawn on hand-over: the next owner
     * then submits it. True unless this worker is between writing SUBMITTING and calling: a SUBMITTING found on
     * replay may have been sent by the previous owner.
     */
    boolean submissionSent = true;
    /** Set while this job holds the probe of a paused provider and has not called yet. */
    String probingProvider;
    /** When the latest poll was sent. */
    Instant pollSentAt;
    /**
     * When this worker last knew the generation was running (a poll that saw it running, or the submission); null
     * after a hand-over until the first poll, so learned times never span a gap this worker did not watch.
     */
    Instant lastSeenRunning;
    /** Transient errors in a row, reset by any answer. */
    ErrorStreak streak = ErrorStreak.NONE;
    /** Set when the partition is revoked: every pending callback of this job then does nothing. */
    boolean dropped;
    /** A cancel command for this job, being carried out; null while none came. */
    Cancellation cancel;
    /**
     * Set once a cancellation ends the job: its CANCELLED record is being committed, and every other pending step of
     * it (a timer, a write's next step, a provider's answer, a copy) does nothing.
     */
    boolean ending;
    /** Whether the submission's paid call is out and unanswered: a cancellation then waits for its answer. */
    boolean submissionOut;
    /**
     * Set once the job's terminal record is being committed (or waits for the lease to be): a cancel command then
     * changes nothing.
     */
    boolean finishing;
    /** A previous owner may have sent a submission of this job (a SUBMITTING found on replay, sent again). */
    boolean maybeSentBefore;
    /** The timer of the terminal commit's retries: a timer of its own, which no other step replaces. */
    long endTimerId = -1;
    /**
     * Set when the partition is revoked while this job's submission is out: it finishes that call (writes its
     * outcome) and then stops, instead of taking a next step.
     */
    boolean draining;
    /**
     * The offset of the job's newest record seen in the log that a parked job can be adopted from again (not a
     * refusal); -1 while not known. Where a job parked while it waits for its provider is read back from.
     */
    long newestOffset = -1;
    /** Whether the record at {@link #newestOffset} is the job's REQUESTED state now (read in full, same attempts). */
    boolean newestIsRequest;
    /** The running copy of an ARCHIVING job's video, cancelled (its upload aborted) when the job is dropped. */
    Cancellable transfer;
    /** Failed copy attempts in a row. */
    int archiveAttempts;
    /** Where the job's terminal record landed in the log, once read back; remembered for deduplication. */
    long terminalOffset = FinishedJobs.NOT_YET_READ;

    TrackedJob(JobRecord record, TopicPartition partition) {
        this.record = record;
        this.latestSent = record;
        this.partition = partition;
        this.tagless = record.state() == JobState.REFUSED;
        this.polls = record.polls();
    }

    /** Whether the job's own steps must stop: handed over, or ending cancelled. */
    boolean stopped() {
        return dropped || ending;
    }

    String id() {
        return record.jobId();
    }
}
