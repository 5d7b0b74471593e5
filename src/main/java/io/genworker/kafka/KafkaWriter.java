package io.genworker.kafka;

import java.time.Duration;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * The worker's one producer for the job log, results and dead letters (acks=all, idempotent). A plain producer
 * rather than channel emitters because every transition must be awaited individually before the job moves on,
 * and the tracker must be able to flush outstanding writes before it gives up a partition.
 */
@ApplicationScoped
public class KafkaWriter {

    private final KafkaProducer<String, byte[]> producer;

    public KafkaWriter(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "generation-worker-writer");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Completes once the broker has the record (all in-sync replicas). Callbacks run on the producer's thread. */
    public Uni<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Uni.createFrom().emitter(emitter -> producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(metadata);
            }
        }));
    }

    /** Blocks until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
    }

}
