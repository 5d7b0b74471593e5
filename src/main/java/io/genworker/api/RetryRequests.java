package io.genworker.api;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.index.IndexedJob;

/**
 * Whether an indexed job can be retried, and the request that retries it: the same model, provider, input and
 * metadata under a derived id ({@link RetryIds}), with {@code retryOf} naming the job. Pure: the index's row in,
 * a verdict or a request out.
 */
public final class RetryRequests {

    private RetryRequests() {
    }

    /** Why the job cannot be retried, or empty when it can. */
    public static Optional<String> refusal(IndexedJob job) {
        if (!"FAILED".equals(job.state()) && !"CANCELLED".equals(job.state())) {
            return Optional.of("job " + job.jobId() + " is " + job.state() + ": only FAILED and CANCELLED jobs are"
                    + " retried");
        }
        if (job.retriedAs() != null) {
            return Optional.of("job " + job.jobId() + " was retried as " + job.retriedAs() + ": retry that one");
        }
        if (job.input() == null || !job.input().isObject() || job.model() == null) {
            return Optional.of("job " + job.jobId() + " has no request input in the index (refused at intake, or"
                    + " indexed after its request left the log): send a new request");
        }
        return Optional.empty();
    }

    static ObjectNode request(IndexedJob job, String retryId, ObjectMapper mapper) {
        ObjectNode request = mapper.createObjectNode();
        request.put("jobId", retryId);
        request.put("model", job.model());
        if (job.provider() != null) {
            request.put("provider", job.provider());
        }
        request.set("input", job.input().deepCopy());
        if (job.metadata() != null && job.metadata().isObject()) {
            request.set("metadata", job.metadata().deepCopy());
        }
        request.put("retryOf", job.jobId());
        return request;
    }
}
