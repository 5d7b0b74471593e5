package io.genworker.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.index.IndexedJob;
import io.genworker.index.JobSearch;
import io.genworker.index.Transition;

/**
 * One job as `GET /v1/jobs/{id}` shows it: state, timing, polls, result (video and archive), error, cancellation,
 * retry links and transitions; the request's input only for operators.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String jobId, String state, String provider, String model, Instant receivedAt,
        Instant submittedAt, Instant finishedAt, Instant updatedAt, int polls, int submitAttempts,
        String providerJobId, Double credits, JsonNode video, Archive archive, JsonNode error, JsonNode metadata,
        JsonNode cancellation, String retryOf, String retriedAs, JsonNode input, List<Step> transitions) {

    /** The worker's copy of the video in object storage. */
    public record Archive(String bucket, String key, String url) {
    }

    /** One job-log record of the job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String state, Instant at, String detail, int partition, long offset) {

        static Step of(Transition transition) {
            return new Step(transition.state(), transition.at(), transition.detail(), transition.logPartition(),
                    transition.logOffset());
        }
    }

    public static JobView of(JobSearch.Found found, boolean withInput) {
        IndexedJob job = found.job();
        Archive archive = job.archiveKey() == null ? null
                : new Archive(job.archiveBucket(), job.archiveKey(), job.archiveUrl());
        return new JobView(job.jobId(), job.state(), job.provider(), job.model(), job.receivedAt(), job.submittedAt(),
                job.finishedAt(), job.updatedAt(), job.polls(), job.submitAttempts(), job.providerJobId(),
                job.credits(), job.video(), archive, job.error(), job.metadata(), job.cancellation(), job.retryOf(),
                job.retriedAs(), withInput ? job.input() : null,
                found.transitions().stream().map(Step::of).toList());
    }
}
