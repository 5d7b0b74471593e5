package io.genworker.joblog;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.kafka.KafkaAuthorization;
import io.genworker.kafka.KafkaSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * Reads single job-log records back by offset: the tracker remembers a finished job by its id's fingerprint and
 * the offset of its terminal record, and reads that record when a request repeats the id (to confirm it is the
 * same job, and to write the record again). Rare, so one consumer on one thread of its own serves every partition;
 * its blocking calls never run on an event loop.
 */
@ApplicationScoped
public class JobLogReader {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration GIVE_UP = Duration.ofSeconds(10);
    /** This consumer's role in its client id and in {@link KafkaAuthorization}. */
    static final String CLIENT = "reader";

    private final Map<String, Object> kafka;
    private final JobLog jobLog;
    private final WorkerConfig config;
    private final KafkaAuthorization authorization;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "job-log-reader");
        t.setDaemon(true);
        return t;
    });
    /** Used on the reader's thread only. */
    private KafkaConsumer<String, byte[]> consumer;

    public JobLogReader(@Identifier("default-kafka-broker") Map<String, Object> kafka, JobLog jobLog,
            WorkerConfig config, KafkaAuthorization authorization) {
        this.kafka = kafka;
        this.jobLog = jobLog;
        this.config = config;
        this.authorization = authorization;
    }

    /**
     * The record at this offset, empty when the log no longer holds it (compacted or past retention). Fails when
     * the broker does not answer in time: the caller tries again later.
     */
    public Uni<Optional<JobRecord>> read(TopicPartition partition, long offset) {
        return Uni.createFrom().item(() -> readNow(partition, offset)).runSubscriptionOn(thread);
    }

    private Optional<JobRecord> readNow(TopicPartition partition, long offset) {
        try {
            Optional<JobRecord> read = readAt(partition, offset);
            authorization.allowed(CLIENT);
            return read;
        } catch (KafkaException e) {
            KafkaAuthorization.authorizationFailure(e).ifPresent(denied -> authorization.refused(CLIENT,
                    KafkaAuthorization.permission(denied, "READ"), denied));
            closeConsumer();
            throw e;
        }
    }

    private Optional<JobRecord> readAt(TopicPartition partition, long offset) {
        try {
            KafkaConsumer<String, byte[]> reader = consumer();
            reader.assign(List.of(partition));
            reader.seek(partition, offset);
            long giveUpAt = System.nanoTime() + GIVE_UP.toNanos();
            while (System.nanoTime() < giveUpAt) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(POLL).records(partition)) {
                    if (record.offset() > offset || record.value() == null) {
                        return Optional.empty();
                    }
                    if (record.offset() == offset) {
                        return Optional.of(jobLog.decode(record.value()));
                    }
                }
                if (reader.position(partition) > offset) {
                    return Optional.empty();
                }
            }
            throw new IllegalStateException("no answer from the broker reading " + partition + "@" + offset);
        } catch (IOException e) {
            // An unreadable record is no finished job this worker can confirm.
            return Optional.empty();
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> props = KafkaSettings.clientProperties(kafka);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT));
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    private void closeConsumer() {
        if (consumer != null) {
            consumer.close(Duration.ZERO);
            consumer = null;
        }
    }

    @PreDestroy
    void stop() {
        thread.submit(this::closeConsumer);
        thread.shutdown();
    }
}
