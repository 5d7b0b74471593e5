package io.genworker.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    /**
     * KafkaProducer.send blocks (up to max.block.ms) while it has no metadata for the topic, as when the broker is
     * away; callers are event loops, so sends are handed to this one thread, which also keeps their order.
     */
    private final ExecutorService sending = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "kafka-writer-send");
        thread.setDaemon(true);
        return thread;
    });

    public KafkaWriter(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "generation-worker-writer");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Completes once the broker has the record (all in-sync replicas). Never blocks the caller; callbacks run on
     * the producer's thread.
     */
    public Uni<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Uni.createFrom().<RecordMetadata> emitter(emitter -> producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(metadata);
            }
        })).runSubscriptionOn(sending);
    }

    /** Blocks until every record sent so far (handed to the producer or still queued) is acknowledged or failed. */
    public void flush() {
        try {
            sending.submit(() -> {
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        producer.flush();
    }

    @PreDestroy
    void close() {
        sending.shutdown();
        try {
            sending.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }

}
