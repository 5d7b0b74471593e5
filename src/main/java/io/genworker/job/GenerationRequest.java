package io.genworker.job;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request as upstream services send it. `input` holds the provider's own parameter names;
 * `provider` is optional and only needed where a model exists on more than one provider; `retryOf` names the job a
 * retry repeats (the retry is a new job, with an id of its own).
 */
public record GenerationRequest(String jobId, String model, String provider, ObjectNode input, Integer timeoutSeconds,
        ObjectNode metadata, String retryOf) {
}
