package io.genworker.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.joblog.JobLog;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The worker's topics seen from a test: send requests, await results, with the Kafka companion. */
public final class WorkerTopics implements AutoCloseable {

    public static final String REQUESTS = "generation.requests";
    public static final String JOBS = "generation.jobs";
    public static final String RESULTS = "generation.results";
    public static final String DLQ = "generation.requests.dlq";
    /** The tracker's consumer group (worker.tracker.group-id). */
    public static final String TRACKER_GROUP = "generation-worker-tracker";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaCompanion companion;
    private final String bootstrapServers;

    public WorkerTopics(String bootstrapServers) {
        this.companion = new KafkaCompanion(bootstrapServers);
        this.bootstrapServers = bootstrapServers;
    }

    public KafkaCompanion companion() {
        return companion;
    }

    public void send(String key, String value) {
        companion.produceStrings().fromRecords(new ProducerRecord<>(REQUESTS, key, value)).awaitCompletion();
    }

    public void sendBytes(String key, byte[] value) {
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(REQUESTS, key, value)).awaitCompletion();
    }

    public void sendAll(Map<String, String> requests) {
        companion.produceStrings().fromRecords(requests.entrySet().stream()
                .map(e -> new ProducerRecord<>(REQUESTS, e.getKey(), e.getValue())).toList()).awaitCompletion();
    }

    /** Waits for one result per job id and returns them by job id (all results of those ids, in order). */
    public Map<String, JsonNode> awaitResults(Collection<String> jobIds, Duration timeout) {
        return awaitValues(RESULTS, jobIds, jobIds.size(), timeout);
    }

    public JsonNode awaitResult(String jobId, Duration timeout) {
        return awaitResults(Set.of(jobId), timeout).get(jobId);
    }

    /** Every result record of these ids so far, after waiting for the expected count. */
    public List<ConsumerRecord<String, String>> resultRecords(Collection<String> jobIds, int expected,
            Duration timeout) {
        return records(RESULTS, jobIds, expected, timeout);
    }

    public List<ConsumerRecord<String, String>> records(String topic, Collection<String> keys,
            int expected, Duration timeout) {
        Set<String> wanted = Set.copyOf(keys);
        var task = companion.consumeStrings()
                .fromTopics(topic, multi -> multi.select().where(r -> wanted.contains(r.key())));
        try {
            return task.awaitRecords(expected, timeout).getRecords();
        } finally {
            task.stop();
        }
    }

    private Map<String, JsonNode> awaitValues(String topic, Collection<String> keys, int expected,
            Duration timeout) {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records(topic, keys, expected, timeout)) {
            byKey.put(record.key(), parse(record.value()));
        }
        return byKey;
    }

    /**
     * Reads committed results (read_committed, as the README tells consumers to) until every job id has one or the
     * timeout passes, then on to the end of the topic so that a second result of any job shows up too. Returns all
     * results of each id, in order; ids without a result are absent.
     */
    public Map<String, List<JsonNode>> committedResults(Collection<String> jobIds, Duration timeout) {
        Set<String> wanted = Set.copyOf(jobIds);
        Map<String, List<JsonNode>> results = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, RESULTS);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (results.size() < wanted.size() && System.nanoTime() < deadline) {
                collect(consumer, wanted, results);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                collect(consumer, wanted, results);
            }
        }
        return results;
    }

    /** The newest state of each of these jobs in the job log, by its state header; jobs not logged yet are absent. */
    public Map<String, String> jobStates(Collection<String> jobIds) {
        Set<String> wanted = Set.copyOf(jobIds);
        Map<String, String> states = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, JOBS);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    Header state = record.headers().lastHeader(JobLog.STATE_HEADER);
                    if (wanted.contains(record.key()) && state != null) {
                        states.put(record.key(), new String(state.value(), StandardCharsets.US_ASCII));
                    }
                }
            }
        }
        return states;
    }

    /** The job-log partitions each member of the tracker's group owns (one entry per worker in the group). */
    public List<Set<TopicPartition>> jobLogOwners() {
        List<Set<TopicPartition>> owners = new ArrayList<>();
        for (MemberDescription member : companion.consumerGroups().describe(TRACKER_GROUP).members()) {
            owners.add(new HashSet<>(member.assignment().topicPartitions()));
        }
        return owners;
    }

    private KafkaConsumer<String, String> consumer(String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static List<TopicPartition> assignFromBeginning(KafkaConsumer<String, String> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static void collect(KafkaConsumer<String, String> consumer, Set<String> wanted,
            Map<String, List<JsonNode>> results) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
            if (wanted.contains(record.key())) {
                results.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(parse(record.value()));
            }
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    @Override
    public void close() {
        companion.close();
    }
}
