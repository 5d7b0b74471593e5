package io.genworker.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record of the job log: a full snapshot of a job after a transition. Because the log is compacted to the newest
 * record per job id, each record must carry everything needed to resume the job on its own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(
        String jobId,
        JobState state,
        String provider,
        String model,
        ObjectNode input,
        ObjectNode metadata,
        String providerJobId,
        Video video,
        JobError error,
        Double credits,
        Instant receivedAt,
        Instant submittedAt,
        Instant finishedAt,
        Instant deadline,
        int polls,
        int submitAttempts,
        Instant updatedAt,
        TraceContext trace,
        Cancellation cancellation,
        String retryOf) {

    public static JobRecord requested(String jobId, String provider, String model, ObjectNode input,
            ObjectNode metadata, Instant receivedAt, Instant deadline) {
        return requested(jobId, provider, model, input, metadata, receivedAt, deadline, null);
    }

    /** @param retryOf the job this one retries (a new job, with an id of its own), or null */
    public static JobRecord requested(String jobId, String provider, String model, ObjectNode input,
            ObjectNode metadata, Instant receivedAt, Instant deadline, String retryOf) {
        return new JobRecord(jobId, JobState.REQUESTED, provider, model, input, metadata, null, null, null, null,
                receivedAt, null, null, deadline, 0, 0, receivedAt, null, null, retryOf);
    }

    public JobRecord submitting(Instant now) {
        return new JobRecord(jobId, JobState.SUBMITTING, provider, model, input, metadata, null, null, null, null,
                receivedAt, null, null, deadline, polls, submitAttempts + 1, now, trace, cancellation, retryOf);
    }

    /** The provider certainly did not take the last submission (429, 5xx before acceptance): safe to send again. */
    public JobRecord submitRefused(Instant now) {
        return new JobRecord(jobId, JobState.REQUESTED, provider, model, input, metadata, null, null, null, null,
                receivedAt, null, null, deadline, polls, submitAttempts, now, trace, cancellation, retryOf);
    }

    public JobRecord submitted(String providerJobId, Double credits, Instant now) {
        return new JobRecord(jobId, JobState.SUBMITTED, provider, model, input, metadata, providerJobId, null, null,
                credits, receivedAt, now, null, deadline, polls, submitAttempts, now, trace, cancellation, retryOf);
    }

    public JobRecord completed(Video video, Double credits, int polls, Instant now) {
        return new JobRecord(jobId, JobState.COMPLETED, provider, model, input, metadata, providerJobId, video, null,
                credits != null ? credits : this.credits, receivedAt, submittedAt, now, deadline, polls,
                submitAttempts, now, trace, cancellation, retryOf);
    }

    /**
     * The provider finished with this video; the copy into object storage comes next. finishedAt is when the
     * generation was seen finished, kept through the copy: the provider's retention and the copy's time bound count
     * from it.
     */
    public JobRecord archiving(Video video, Double credits, int polls, Instant now) {
        return new JobRecord(jobId, JobState.ARCHIVING, provider, model, null, metadata, providerJobId, video, null,
                credits != null ? credits : this.credits, receivedAt, submittedAt, now, deadline, polls,
                submitAttempts, now, trace, cancellation, retryOf);
    }

    /**
     * The copy is stored: the job completes with it. finishedAt becomes now, when the job really ended: the dedup
     * window counts from it, as the result's retention does.
     */
    public JobRecord archived(VideoArchive copy, Instant now) {
        return new JobRecord(jobId, JobState.COMPLETED, provider, model, null, metadata, providerJobId,
                video.archived(copy), null, credits, receivedAt, submittedAt, now, deadline, polls,
                submitAttempts, now, trace, cancellation, retryOf);
    }

    /** The copy could not be made and the worker is set to complete anyway: the provider's URL and why. */
    public JobRecord completedUnarchived(JobError why, Instant now) {
        return new JobRecord(jobId, JobState.COMPLETED, provider, model, null, metadata, providerJobId,
                video.notArchived(why), null, credits, receivedAt, submittedAt, now, deadline, polls,
                submitAttempts, now, trace, cancellation, retryOf);
    }

    /** The copy could not be made: the job fails, and its result keeps the provider's video (URL) it paid for. */
    public JobRecord archiveFailed(JobError error, Instant now) {
        return new JobRecord(jobId, JobState.FAILED, provider, model, null, metadata, providerJobId, video, error,
                credits, receivedAt, submittedAt, now, deadline, polls, submitAttempts, now, trace, cancellation, retryOf);
    }

    public JobRecord failed(JobError error, int polls, Instant now) {
        return new JobRecord(jobId, JobState.FAILED, provider, model, input, metadata, providerJobId, null, error,
                credits, receivedAt, submittedAt, now, deadline, polls, submitAttempts, now, trace, cancellation, retryOf);
    }

    /**
     * A request refused at intake, as the job log carries it to the tracker: the error is its answer, unless the job
     * id is already known.
     */
    public static JobRecord refusal(String jobId, String provider, String model, ObjectNode metadata, JobError error,
            Instant now) {
        return new JobRecord(jobId, JobState.REFUSED, provider, model, null, metadata, null, null, error, null, now,
                null, null, null, 0, 0, now, null, null, null);
    }

    /** A request refused at intake: it never becomes a job, only a FAILED result. */
    public static JobRecord refused(String jobId, String provider, String model, ObjectNode metadata, JobError error,
            Instant now) {
        return new JobRecord(jobId, JobState.FAILED, provider, model, null, metadata, null, null, error, null, now,
                null, now, null, 0, 0, now, null, null, null);
    }

    /**
     * A command to cancel a job, as intake writes it to the job log for the job's owner to carry out. It names only
     * the job: the owner knows (or reads back) the rest.
     */
    public static JobRecord cancelRequest(String jobId, Cancellation cancellation, Instant now) {
        return new JobRecord(jobId, JobState.CANCEL_REQUESTED, null, null, null, null, null, null, null, null, null,
                null, null, null, 0, 0, now, null, cancellation, null);
    }

    /**
     * The job ends cancelled; the cancellation says what it may still cost. A video the provider finished (a job
     * cancelled while its copy was being made) stays in the record, as on any result that paid for one.
     */
    public JobRecord cancelled(Cancellation ended, int polls, Instant now) {
        return new JobRecord(jobId, JobState.CANCELLED, provider, model, null, metadata, providerJobId, video, null,
                credits, receivedAt, submittedAt, now, deadline, polls, submitAttempts, now, trace, ended, retryOf);
    }

    /** What the log keeps of a finished job: everything but the (possibly large) input. */
    public JobRecord withoutInput() {
        return new JobRecord(jobId, state, provider, model, null, metadata, providerJobId, video, error, credits,
                receivedAt, submittedAt, finishedAt, deadline, polls, submitAttempts, updatedAt, trace, cancellation, retryOf);
    }

    /** The same job carrying the trace context its request arrived with (null: none). */
    public JobRecord withTrace(TraceContext trace) {
        return new JobRecord(jobId, state, provider, model, input, metadata, providerJobId, video, error, credits,
                receivedAt, submittedAt, finishedAt, deadline, polls, submitAttempts, updatedAt, trace, cancellation, retryOf);
    }

    /** The same state written again at the head of the log, so compaction never keeps a stale duplicate instead. */
    public JobRecord reasserted(Instant now) {
        return new JobRecord(jobId, state, provider, model, input, metadata, providerJobId, video, error, credits,
                receivedAt, submittedAt, finishedAt, deadline, polls, submitAttempts, now, trace, cancellation, retryOf);
    }
}
