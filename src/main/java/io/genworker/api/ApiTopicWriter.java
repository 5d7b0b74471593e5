package io.genworker.api;

import java.time.Duration;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaSettings;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The API's own producer for requests and control commands (acks=all, idempotent), on the worker's Kafka connection
 * settings (TLS, SASL: {@link KafkaSettings}) with the client role {@value #CLIENT}. Its own, not the tracker's
 * {@code KafkaWriter}: callers on the network must not queue behind, or ahead of, the job log's writes. Every write
 * is bounded by {@code worker.api.write-timeout}: waiting for metadata, buffer space and the broker's answer
 * together. Made at start-up, not on the event loop of the first call (a producer resolves its bootstrap servers),
 * and so that a connection setting it cannot use shows at once.
 */
@ApplicationScoped
@Startup
public class ApiTopicWriter {

    /** This producer's role in its client id. */
    public static final String CLIENT = "api";

    private final Producer<String, byte[]> producer;
    private final Duration timeout;

    @Inject
    public ApiTopicWriter(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig worker,
            ApiConfig config) {
        this(new KafkaProducer<>(properties(kafka, worker, config.writeTimeout()), new StringSerializer(),
                new ByteArraySerializer()), config.writeTimeout());
    }

    ApiTopicWriter(Producer<String, byte[]> producer, Duration timeout) {
        this.producer = producer;
        this.timeout = timeout;
    }

    static Map<String, Object> properties(Map<String, Object> kafka, WorkerConfig worker, Duration timeout) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, worker, CLIENT));
        long millis = Math.max(1, timeout.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, millis));
        // The producer refuses a delivery timeout under linger + request timeout.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, millis));
        return props;
    }

    /**
     * Completes once the broker holds the record; fails with {@link NotAcknowledged} when it did not say so within
     * the write timeout (the record may still land: a caller resends under the same key, which deduplicates).
     */
    public Uni<RecordMetadata> write(ProducerRecord<String, byte[]> record) {
        return Uni.createFrom().<RecordMetadata> emitter(emitter -> producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                emitter.fail(new NotAcknowledged(failure));
            } else {
                emitter.complete(metadata);
            }
        }))
                // send() itself waits (up to max.block.ms) while it has no metadata: never on an event loop.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .ifNoItem().after(timeout.plusMillis(500)).failWith(() -> new NotAcknowledged(null))
                .onFailure(failure -> !(failure instanceof NotAcknowledged)).transform(NotAcknowledged::new);
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** The broker did not acknowledge a write in time, or refused it. */
    public static final class NotAcknowledged extends RuntimeException {

        NotAcknowledged(Throwable cause) {
            super(cause == null ? "no acknowledgement in time" : cause.getClass().getSimpleName(), cause, false,
                    false);
        }
    }
}
