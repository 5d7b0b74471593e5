package io.genworker.joblog;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.kafka.KafkaWriter;
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
        return writer.send(new ProducerRecord<>(topic, record.jobId(), encode(record))).replaceWithVoid();
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
