package io.genworker.publish;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.JobResult;
import io.genworker.job.JobState;
import io.genworker.kafka.TraceHeaders;

/**
 * The one result event of a finished job, with CloudEvents binary-mode headers and the trace context of its
 * request; written in the transaction of the job's terminal job-log record.
 */
@ApplicationScoped
public class ResultPublisher {

    public static final String SOURCE = "urn:generation-worker";
    public static final String TYPE_COMPLETED = "generation.completed";
    public static final String TYPE_FAILED = "generation.failed";
    public static final String TYPE_CANCELLED = "generation.cancelled";

    private final ObjectMapper mapper;
    private final String topic;

    public ResultPublisher(ObjectMapper mapper, WorkerConfig config) {
        this.mapper = mapper;
        this.topic = config.topics().results();
    }

    /** The result event of a finished job, to be written in the transaction of its terminal job-log record. */
    public ProducerRecord<String, byte[]> record(JobRecord job) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(JobResult.of(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize result of " + job.jobId(), e);
        }
        RecordHeaders headers = new RecordHeaders();
        header(headers, "ce_specversion", "1.0");
        // Deterministic id: a consumer can drop a redelivered event by (ce_source, ce_id).
        header(headers, "ce_id", job.jobId() + "/" + job.state().name().toLowerCase());
        header(headers, "ce_type", type(job.state()));
        header(headers, "ce_source", SOURCE);
        header(headers, "ce_subject", job.jobId());
        header(headers, "ce_time", (job.finishedAt() != null ? job.finishedAt() : Instant.now()).toString());
        header(headers, "content-type", "application/json");
        TraceHeaders.write(job.trace(), headers);
        return new ProducerRecord<>(topic, null, job.jobId(), value, headers);
    }

    static String type(JobState terminal) {
        return switch (terminal) {
            case COMPLETED -> TYPE_COMPLETED;
            case CANCELLED -> TYPE_CANCELLED;
            default -> TYPE_FAILED;
        };
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
