package io.genworker.index;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaSettings;
import io.genworker.polling.Backoff;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Feeds the job index from the job log: a consumer of its own (group `worker.index.group-id`, read_committed) on
 * its own thread, which stores its offsets in the database with the rows they produced, so a dropped database is
 * rebuilt from the log. Off the critical path: a database that is down pauses this consumer only (its partitions
 * wait, it retries with backoff), and it catches up from the log once the database answers again.
 */
@ApplicationScoped
public class JobIndexer {

    private static final Logger LOG = Logger.getLogger(JobIndexer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(5);
    private static final Duration LAG_EVERY = Duration.ofSeconds(1);
    /** This consumer's role in its client id. */
    static final String CLIENT = "index";

    private final IndexConfig config;
    private final WorkerConfig worker;
    private final Map<String, Object> kafka;
    private final IndexDatabase database;
    private final ObjectMapper mapper;
    private final Backoff backoff;
    /** Partitions assigned whose position is not known yet (read from the database, or again after a failure). */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /** The next offset committed to the database, per partition held. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private volatile long lag = -1;
    private volatile String lastFailure;
    private volatile long applied;
    private volatile boolean stopping;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private boolean migrated;
    private int failures;
    private long lagCheckedAt;
    private Thread thread;

    public JobIndexer(IndexConfig config, WorkerConfig worker,
            @Identifier("default-kafka-broker") Map<String, Object> kafka, IndexDatabase database,
            ObjectMapper mapper) {
        this.config = config;
        this.worker = worker;
        this.kafka = kafka;
        this.database = database;
        this.mapper = mapper;
        this.backoff = new Backoff(config.retryInitial(), config.retryMax(), RandomGenerator.getDefault());
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (thread != null && thread.isAlive()) {
            return;
        }
        stopping = false;
        migrated = false;
        lag = -1;
        thread = new Thread(this::run, "job-index");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        stopping = true;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    /** Whether the consumer loop runs. */
    public boolean running() {
        Thread current = thread;
        return current != null && current.isAlive();
    }

    /** Records in the job log not in the index yet, over the partitions held; -1 before the first count. */
    public long lag() {
        return lag;
    }

    /** Why the last attempt at the database failed, or null once it works again. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Records applied since start (rows changed or transitions recorded). */
    public long applied() {
        return applied;
    }

    static Map<String, Object> consumerProperties(Map<String, Object> kafka, WorkerConfig worker,
            IndexConfig config) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, config.batchSize()));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, worker, CLIENT));
        if (!KafkaSettings.consumerGroupProtocol(kafka)) {
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        return props;
    }

    private void run() {
        while (!stopping) {
            try {
                consumer = new KafkaConsumer<>(consumerProperties(kafka, worker, config), new StringDeserializer(),
                        new ByteArrayDeserializer());
            } catch (RuntimeException e) {
                LOG.errorf("cannot create the job-index consumer yet, retrying in %s: %s", RESTART_PAUSE,
                        e.getMessage());
                pause(RESTART_PAUSE);
                continue;
            }
            try {
                consume();
            } catch (WakeupException e) {
                // stop() was called
            } catch (RuntimeException e) {
                LOG.errorf(e, "job-index consumer failed; starting a new one in %s", RESTART_PAUSE);
                pause(RESTART_PAUSE);
            } finally {
                unpositioned.clear();
                committed.clear();
                try {
                    consumer.close(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    LOG.debugf("closing the job-index consumer: %s", e.getMessage());
                }
                consumer = null;
            }
        }
    }

    private void pause(Duration pause) {
        long resumeAt = System.nanoTime() + pause.toNanos();
        while (!stopping && System.nanoTime() < resumeAt) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private void consume() {
        consumer.subscribe(List.of(worker.topics().jobs()), new Rebalance());
        Duration wait = POLL_TIMEOUT;
        while (!stopping) {
            // While the database fails, the poll (all partitions paused) is the pause: it keeps the group membership.
            ConsumerRecords<String, byte[]> records = consumer.poll(wait);
            try {
                if (!migrated) {
                    database.migrate();
                    migrated = true;
                }
                position();
                write(records);
                wait = POLL_TIMEOUT;
                if (failures > 0) {
                    LOG.infof("job index: the database answers again after %d failed attempts", failures);
                }
                failures = 0;
                lastFailure = null;
            } catch (SQLException | RuntimeException e) {
                if (e instanceof WakeupException w) {
                    throw w;
                }
                failures++;
                wait = backoff.after(failures, null);
                lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warnf("job index: database failed (attempt %d), partitions paused, retrying in %s: %s", failures,
                        wait, lastFailure);
                // What was read and not committed is read again from the offsets the database holds.
                unpositioned.addAll(consumer.assignment());
                consumer.pause(consumer.assignment());
            }
            countLag();
        }
    }

    /** Seeks the partitions without a position to the offsets stored with the index, or to their beginning. */
    private void position() throws SQLException {
        if (unpositioned.isEmpty()) {
            return;
        }
        Set<TopicPartition> partitions = new HashSet<>(unpositioned);
        partitions.retainAll(consumer.assignment());
        Map<Integer, Long> stored = database.store().offsets(partitions.stream().map(TopicPartition::partition)
                .toList());
        List<TopicPartition> fromStart = new ArrayList<>();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition.partition());
            Long end = ends.get(partition);
            if (next != null && end != null && next > end) {
                // The index read further than this log goes: the topic was deleted and created again. Read anew.
                LOG.warnf("job index: %s ends at %d, the index had read it to %d: the topic is new, reading it from"
                        + " its beginning", partition, end, next);
                database.store().resetOffset(partition.partition());
                next = null;
            }
            if (next == null) {
                fromStart.add(partition);
                committed.put(partition, 0L);
            } else {
                consumer.seek(partition, next);
                committed.put(partition, next);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        consumer.resume(partitions);
        unpositioned.clear();
        LOG.debugf("job index: positioned %s at %s (absent: from the beginning)", partitions, stored);
    }

    private void write(ConsumerRecords<String, byte[]> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        List<IndexStore.Read> batch = new ArrayList<>(Math.min(records.count(), config.batchSize()));
        Map<TopicPartition, Long> next = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (unpositioned.contains(partition)) {
                continue;
            }
            batch.add(new IndexStore.Read(record.partition(), record.offset(), decode(record)));
            next.put(partition, record.offset() + 1);
            if (batch.size() >= config.batchSize()) {
                flush(batch, next);
            }
        }
        flush(batch, next);
    }

    private void flush(List<IndexStore.Read> batch, Map<TopicPartition, Long> next) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        database.store().apply(batch);
        applied += batch.size();
        committed.putAll(next);
        batch.clear();
        next.clear();
    }

    private LogEntry decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            JsonNode body = mapper.readTree(record.value());
            LogEntry entry = LogEntry.read(record.key(), body, record.partition(), record.offset(),
                    Instant.ofEpochMilli(record.timestamp()));
            if (entry == null) {
                LOG.debugf("job index: %s-%d@%d names no job and state, skipped", record.topic(), record.partition(),
                        record.offset());
            }
            return entry;
        } catch (IOException e) {
            LOG.warnf("job index: %s-%d@%d is not JSON, skipped: %s", record.topic(), record.partition(),
                    record.offset(), new String(record.value(), 0, Math.min(record.value().length, 80),
                            StandardCharsets.UTF_8));
            return null;
        }
    }

    private void countLag() {
        long now = System.nanoTime();
        if (now - lagCheckedAt < LAG_EVERY.toNanos()) {
            return;
        }
        lagCheckedAt = now;
        Set<TopicPartition> held = consumer.assignment();
        if (held.isEmpty()) {
            lag = 0;
            return;
        }
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(held, Duration.ofSeconds(2));
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                // Everything polled is written by now, so a positioned partition's position is what the database
                // holds, past the transaction markers too (the offsets stored stop at the last record).
                long done = unpositioned.contains(end.getKey()) ? committed.getOrDefault(end.getKey(), 0L)
                        : consumer.position(end.getKey(), Duration.ofSeconds(2));
                behind += Math.max(0, end.getValue() - done);
            }
            lag = behind;
        } catch (RuntimeException e) {
            if (e instanceof WakeupException w) {
                throw w;
            }
            LOG.debugf("job index: end offsets unknown: %s", e.getMessage());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Positioned from the database on the loop, which retries while the database is down.
            unpositioned.addAll(partitions);
            consumer.pause(partitions);
            LOG.infof("job index: assigned %s", partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            unpositioned.removeAll(partitions);
            partitions.forEach(committed::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
