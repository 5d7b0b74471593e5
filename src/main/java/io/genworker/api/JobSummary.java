package io.genworker.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.index.IndexedJob;

/** One job in a listing: its summary, without transitions or input. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSummary(String jobId, String state, String provider, String model, Instant receivedAt,
        Instant submittedAt, Instant finishedAt, Instant updatedAt, int polls, int submitAttempts, String errorCode,
        String videoUrl, String archiveUrl, JsonNode metadata, String retryOf, String retriedAs) {

    public static JobSummary of(IndexedJob job) {
        return new JobSummary(job.jobId(), job.state(), job.provider(), job.model(), job.receivedAt(),
                job.submittedAt(), job.finishedAt(), job.updatedAt(), job.polls(), job.submitAttempts(),
                job.errorCode(), job.videoUrl(), job.archiveUrl(), job.metadata(), job.retryOf(), job.retriedAs());
    }
}
