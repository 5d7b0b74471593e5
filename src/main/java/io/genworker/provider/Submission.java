package io.genworker.provider;

/** A provider accepted a job: its id for the generation, and the credits it announced (may be null). */
public record Submission(String providerJobId, Double credits) {
}
