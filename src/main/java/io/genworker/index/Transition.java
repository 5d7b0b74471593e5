package io.genworker.index;

import java.time.Instant;

/** One job-log record of a job, as the index saw it: a row of {@code index_transitions}. */
public record Transition(String jobId, int logPartition, long logOffset, String state, Instant at, String detail) {
}
