package io.genworker.joblog;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.kafka.KafkaWriter;
import io.genworker.kafka.TraceHeaders;
import io.smallrye.mutiny.Uni;

/** The job log topic: every transition of every job, keyed by job id, as a full snapshot. */
@ApplicationScoped
public class JobLog {

    private final KafkaWriter writer;
    private final ObjectMapper mapper;
    private final String topic;

    public JobLog(KafkaWriter writer, ObjectMapper mapper, WorkerConfig config) {
        this.writer = writer;
        this.mapper = mapper;
        this.topic = config.topics().jobs();
    }

    public String topic() {
        return topic;
    }

    /** Completes once the broker holds the record. */
    public Uni<Void> append(JobRecord record) {
        return writer.send(record(record)).replaceWithVoid();
    }

    /** The Kafka record of a transition, with the job's trace context in its headers. */
    public ProducerRecord<String, byte[]> record(JobRecord record) {
        RecordHeaders headers = new RecordHeaders();
        TraceHeaders.write(record.trace(), headers);
        return new ProducerRecord<>(topic, null, record.jobId(), encode(record), headers);
    }

    public byte[] encode(JobRecord record) {
        try {
            return mapper.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JobRecord decode(byte[] value) throws IOException {
        return mapper.readValue(value, JobRecord.class);
    }
}
