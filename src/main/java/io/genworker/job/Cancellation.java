package io.genworker.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A request to cancel a job, as its command carried it (when, why, by whom), and on the job's CANCELLED record what
 * the cancellation could still save ({@link Outcome}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cancellation(Instant requestedAt, String reason, String requestedBy, Outcome outcome) {

    /**
     * What the provider may bill for a cancelled job. Neither provider documents a cancel call: once a submission
     * went out, the worker can only stop polling.
     */
    public enum Outcome {
        /** The job never reached the provider: nothing is billed. */
        NOT_SUBMITTED,
        /** The provider took (or may have taken) the submission; polling stopped, the provider may finish and bill. */
        MAY_BE_BILLED,
        /** The generation had finished (billed); its copy into object storage was stopped; the result keeps its URL. */
        BILLED
    }

    public static Cancellation requested(Instant at, String reason, String requestedBy) {
        return new Cancellation(at, reason, requestedBy, null);
    }

    public Cancellation ended(Outcome outcome) {
        return new Cancellation(requestedAt, reason, requestedBy, outcome);
    }
}
