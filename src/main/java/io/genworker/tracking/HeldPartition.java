package io.genworker.tracking;

import org.apache.kafka.common.TopicPartition;

import io.genworker.joblog.RecordSchema;

/**
 * A job-log partition this worker keeps but no longer acts on: at {@code offset} lies a record it does not
 * understand ({@link RecordSchema}). Its jobs wait in the log for a worker that knows the record.
 */
public record HeldPartition(TopicPartition partition, long offset, RecordSchema.Unknown unknown) {

    /** For readiness and logs: where the partition stopped and why. */
    public String describe() {
        return "held at offset " + offset + ": " + unknown.what();
    }
}
