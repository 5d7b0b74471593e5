package io.genworker.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one event a job ends with, on the results topic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(
        String jobId,
        JobState status,
        String provider,
        String model,
        String providerJobId,
        Video video,
        JobError error,
        Usage usage,
        Timing timing,
        int polls,
        ObjectNode metadata,
        Cancellation cancellation,
        String retryOf) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Usage(Double credits) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timing(Instant receivedAt, Instant submittedAt, Instant finishedAt) {
    }

    public static JobResult of(JobRecord job) {
        return new JobResult(job.jobId(), job.state(), job.provider(), job.model(), job.providerJobId(), job.video(),
                job.error(), job.credits() == null ? null : new Usage(job.credits()),
                new Timing(job.receivedAt(), job.submittedAt(), job.finishedAt()), job.polls(), job.metadata(),
                job.cancellation(), job.retryOf());
    }
}
