package io.genworker.index;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job as the index keeps it: one row of {@code index_jobs}. Built from a job-log record by {@link LogEntry}, merged
 * with the row before it by {@link JobMerge}.
 *
 * @param listedAt the order of listings: when the job was received, or first heard of for a job known only from a
 *        command (a cancel of an id never requested)
 * @param logPartition the job-log partition of the newest record applied
 * @param logOffset the offset of the newest record applied: records at or below it are not applied again
 */
public record IndexedJob(
        String jobId,
        String state,
        String provider,
        String model,
        Instant receivedAt,
        Instant submittedAt,
        Instant finishedAt,
        Instant updatedAt,
        Instant listedAt,
        int polls,
        int submitAttempts,
        String errorCode,
        String errorMessage,
        JsonNode error,
        String providerJobId,
        Double credits,
        String videoUrl,
        String archiveBucket,
        String archiveKey,
        String archiveUrl,
        JsonNode video,
        JsonNode metadata,
        JsonNode input,
        String retryOf,
        String retriedAs,
        JsonNode cancellation,
        int logPartition,
        long logOffset) {

    public boolean terminal() {
        return IndexedStates.terminal(state);
    }

    IndexedJob withInput(JsonNode value) {
        return new IndexedJob(jobId, state, provider, model, receivedAt, submittedAt, finishedAt, updatedAt, listedAt,
                polls, submitAttempts, errorCode, errorMessage, error, providerJobId, credits, videoUrl,
                archiveBucket, archiveKey, archiveUrl, video, metadata, value, retryOf, retriedAs, cancellation,
                logPartition, logOffset);
    }

    /** The newest record's snapshot, keeping what only earlier records (or other jobs) told of this one. */
    IndexedJob after(IndexedJob earlier) {
        return new IndexedJob(jobId, state, or(provider, earlier.provider), or(model, earlier.model),
                or(receivedAt, earlier.receivedAt), or(submittedAt, earlier.submittedAt), finishedAt,
                or(updatedAt, earlier.updatedAt), earlier.listedAt, Math.max(polls, earlier.polls),
                Math.max(submitAttempts, earlier.submitAttempts), errorCode, errorMessage, error,
                or(providerJobId, earlier.providerJobId), or(credits, earlier.credits), videoUrl, archiveBucket,
                archiveKey, archiveUrl, video, or(metadata, earlier.metadata), or(earlier.input, input),
                or(retryOf, earlier.retryOf), earlier.retriedAs, or(cancellation, earlier.cancellation), logPartition,
                logOffset);
    }

    /** A cancel asked for while the job runs: its state and the request, the rest as it was. */
    IndexedJob cancelRequested(IndexedJob command) {
        return new IndexedJob(jobId, command.state, provider, model, receivedAt, submittedAt, finishedAt,
                or(command.updatedAt, updatedAt), listedAt, polls, submitAttempts, errorCode, errorMessage, error,
                providerJobId, credits, videoUrl, archiveBucket, archiveKey, archiveUrl, video, metadata, input,
                retryOf, retriedAs, or(command.cancellation, cancellation), command.logPartition, command.logOffset);
    }

    IndexedJob retriedAs(String retry) {
        return new IndexedJob(jobId, state, provider, model, receivedAt, submittedAt, finishedAt, updatedAt, listedAt,
                polls, submitAttempts, errorCode, errorMessage, error, providerJobId, credits, videoUrl,
                archiveBucket, archiveKey, archiveUrl, video, metadata, input, retryOf, retry, cancellation,
                logPartition, logOffset);
    }

    private static <T> T or(T first, T second) {
        return first != null ? first : second;
    }
}
