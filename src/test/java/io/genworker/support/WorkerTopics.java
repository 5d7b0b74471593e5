package io.genworker.support;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The worker's topics seen from a test: send requests, await results, with the Kafka companion. */
public final class WorkerTopics implements AutoCloseable {

    public static final String REQUESTS = "generation.requests";
    public static final String JOBS = "generation.jobs";
    public static final String RESULTS = "generation.results";
    public static final String DLQ = "generation.requests.dlq";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaCompanion companion;

    public WorkerTopics(String bootstrapServers) {
        this.companion = new KafkaCompanion(bootstrapServers);
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
    public java.util.List<ConsumerRecord<String, String>> resultRecords(Collection<String> jobIds, int expected,
            Duration timeout) {
        return records(RESULTS, jobIds, expected, timeout);
    }

    public java.util.List<ConsumerRecord<String, String>> records(String topic, Collection<String> keys,
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
