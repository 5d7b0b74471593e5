package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.genworker.support.StubWorkerConfig;

/**
 * The job-log consumer's settings, built into a real KafkaConsumer (its constructor checks them, and connects to
 * nothing): with the KIP-848 protocol ({@code kafka.group.protocol=consumer}) it leaves the session, heartbeat and
 * assignment settings to the broker, which that protocol requires; with the classic one it sets them.
 */
class JobLogConsumerSettingsTest {

    private static final Map<String, Object> BROKER = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            "127.0.0.1:9");

    @Test
    void theConsumerGroupProtocolStartsWithTheBrokersSessionAndAssignment() {
        Map<String, Object> kafka = with(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        Map<String, Object> props = JobLogConsumer.consumerProperties(kafka, new StubWorkerConfig());

        assertThat(props).doesNotContainKeys(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()).close();
    }

    @Test
    void theClassicProtocolGetsTheWorkersSessionAndCooperativeAssignment() {
        Map<String, Object> props = JobLogConsumer.consumerProperties(BROKER, new StubWorkerConfig());

        assertThat(props).containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_500)
                .containsKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()).close();

        // What a consumer of the new protocol given these settings does (the worker did so before).
        Map<String, Object> mixed = new HashMap<>(props);
        mixed.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        assertThatThrownBy(() -> new KafkaConsumer<>(mixed, new StringDeserializer(), new ByteArrayDeserializer()))
                .isInstanceOf(KafkaException.class);
    }

    @Test
    void theClientIdIsTheUsersWithTheTrackersRole() {
        Map<String, Object> props = JobLogConsumer.consumerProperties(with(ConsumerConfig.CLIENT_ID_CONFIG, "acme"),
                new StubWorkerConfig());

        assertThat(props.get(ConsumerConfig.CLIENT_ID_CONFIG).toString()).startsWith("acme-tracker-");
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> kafka = new HashMap<>(BROKER);
        kafka.put(key, value);
        return kafka;
    }
}
