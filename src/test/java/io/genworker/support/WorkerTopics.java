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
import java.util.TreeSet;
import java.util.function.Predicate;

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

/**
 * The worker's topics seen from a test: requests sent with the Kafka companion; results and the job log read
 * committed (read_committed, as the README tells consumers to), to the end of the topic. Every result and job-log
 * record read is validated against the contract's schemas ({@link ContractSchemas}).
 */
public final class WorkerTopics implements AutoCloseable {

    public static final String REQUESTS = "generation.requests";
    public static final String JOBS = "generation.jobs";
    public static final String RESULTS = "generation.results";
    public static final String DLQ = "generation.requests.dlq";
    public static final String CONTROL = "generation.control";
    /** The tracker's consumer group (worker.tracker.group-id). */
    public static final String TRACKER_GROUP = "generation-worker-tracker";
    /** Partitions of the topics in the test profile (`%test.worker.topics.partitions`). */
    public static final int PARTITIONS = 3;
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

    /** A command on the control topic (a cancel), keyed by its job id. */
    public void sendControl(String key, String value) {
        companion.produceStrings().fromRecords(new ProducerRecord<>(CONTROL, key, value)).awaitCompletion();
    }

    /** The cancel command of the README, with a reason. */
    public void cancel(String jobId, String reason) {
        sendControl(jobId, "{\"type\":\"cancel\",\"jobId\":\"" + jobId + "\",\"reason\":\"" + reason
                + "\",\"requestedBy\":\"test\"}");
    }

    public void sendBytes(String key, byte[] value) {
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(REQUESTS, key, value)).awaitCompletion();
    }

    public void sendAll(Map<String, String> requests) {
        companion.produceStrings().fromRecords(requests.entrySet().stream()
                .map(e -> new ProducerRecord<>(REQUESTS, e.getKey(), e.getValue())).toList()).awaitCompletion();
    }

    /**
     * Waits for a result of every job id, then reads on to the end of the topic; returns the last result of each
     * id. Tests that claim exactly one result read {@link #resultRecords} and count.
     */
    public Map<String, JsonNode> awaitResults(Collection<String> jobIds, Duration timeout) {
        Map<String, List<JsonNode>> results = committedResults(jobIds, timeout);
        if (!results.keySet().containsAll(jobIds)) {
            throw new AssertionError("no result within " + timeout + " for " + jobIds.stream()
                    .filter(id -> !results.containsKey(id)).toList());
        }
        Map<String, JsonNode> last = new LinkedHashMap<>();
        results.forEach((id, all) -> last.put(id, all.get(all.size() - 1)));
        return last;
    }

    public JsonNode awaitResult(String jobId, Duration timeout) {
        return awaitResults(Set.of(jobId), timeout).get(jobId);
    }

    /** Every committed result record of these ids, after waiting for the expected count (see {@link #records}). */
    public List<ConsumerRecord<String, String>> resultRecords(Collection<String> jobIds, int expected,
            Duration timeout) {
        return records(RESULTS, jobIds, expected, timeout);
    }

    /**
     * Every committed record of these keys, in order: waits until the expected count arrived (failing the test when
     * it does not within the timeout), then reads on to the end offsets of that moment, so that a record beyond
     * the expected ones (a second result of a job) is returned too.
     */
    public List<ConsumerRecord<String, String>> records(String topic, Collection<String> keys,
            int expected, Duration timeout) {
        List<ConsumerRecord<String, String>> records = readCommitted(topic, Set.copyOf(keys),
                seen -> seen.size() >= expected, timeout);
        if (records.size() < expected) {
            throw new AssertionError("expected " + expected + " records of " + keys + " on " + topic + " within "
                    + timeout + ", got " + records.size());
        }
        return records;
    }

    /**
     * Reads committed results (read_committed, as the README tells consumers to) until every job id has one or the
     * timeout passes, then on to the end of the topic so that a second result of any job shows up too. Returns all
     * results of each id, in order; ids without a result are absent.
     */
    public Map<String, List<JsonNode>> committedResults(Collection<String> jobIds, Duration timeout) {
        Set<String> wanted = Set.copyOf(jobIds);
        Map<String, List<JsonNode>> results = new HashMap<>();
        readCommitted(RESULTS, wanted, seen -> seen.stream().map(ConsumerRecord::key).distinct().count()
                == wanted.size(), timeout).forEach(r -> results.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(parse(r.value())));
        return results;
    }

    /** The newest state of each of these jobs in the job log, by its state header; jobs not logged yet are absent. */
    public Map<String, String> jobStates(Collection<String> jobIds) {
        Map<String, String> states = new HashMap<>();
        for (ConsumerRecord<String, String> record : readCommitted(JOBS, Set.copyOf(jobIds), seen -> true,
                Duration.ZERO)) {
            Header state = record.headers().lastHeader(JobLog.STATE_HEADER);
            if (state != null) {
                states.put(record.key(), new String(state.value(), StandardCharsets.US_ASCII));
            }
        }
        return states;
    }

    /** The job-log partitions that hold committed records of each of these jobs; jobs not logged yet are absent. */
    public Map<String, Set<Integer>> jobLogPartitions(Collection<String> jobIds) {
        Map<String, Set<Integer>> partitions = new HashMap<>();
        for (ConsumerRecord<String, String> record : readCommitted(JOBS, Set.copyOf(jobIds), seen -> true,
                Duration.ZERO)) {
            partitions.computeIfAbsent(record.key(), k -> new TreeSet<>()).add(record.partition());
        }
        return partitions;
    }

    /**
     * The committed records of these keys, from the beginning of the topic: read until {@code enough} holds for
     * them or the timeout passes, then on to the end offsets of that moment (the last stable offsets: an open
     * transaction is not waited for).
     */
    private List<ConsumerRecord<String, String>> readCommitted(String topic, Set<String> keys,
            Predicate<List<ConsumerRecord<String, String>>> enough, Duration timeout) {
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!enough.test(seen) && System.nanoTime() < deadline) {
                collect(consumer, keys, seen);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                collect(consumer, keys, seen);
            }
        }
        ContractSchemas.assertContract(seen);
        return seen;
    }

    /** The job-log partitions each member of the tracker's group owns (one entry per worker in the group). */
    public List<Set<TopicPartition>> jobLogOwners() {
        List<Set<TopicPartition>> owners = new ArrayList<>();
        for (MemberDescription member : companion.consumerGroups().describe(TRACKER_GROUP).members()) {
            owners.add(new HashSet<>(member.assignment().topicPartitions()));
        }
        return owners;
    }

    private KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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

    private static void collect(KafkaConsumer<String, String> consumer, Set<String> keys,
            List<ConsumerRecord<String, String>> seen) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            if (keys.contains(record.key())) {
                seen.add(record);
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
