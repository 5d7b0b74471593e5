package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.genworker.support.StubWorkerConfig;

/** The indexer's consumer settings, built into a real KafkaConsumer (which checks them and connects to nothing). */
class IndexConsumerSettingsTest {

    static final IndexConfig CONFIG = new IndexConfig() {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public String groupId() {
            return "generation-worker-index";
        }

        @Override
        public int batchSize() {
            return 300;
        }

        @Override
        public Duration retryInitial() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration retryMax() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration expiryInterval() {
            return Duration.ofMinutes(10);
        }

        @Override
        public Duration healthTimeout() {
            return Duration.ofSeconds(2);
        }
    };

    @Test
    void itReadsCommittedInAGroupOfItsOwnWithTheWorkersTlsAndSasl() {
        Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"u\" password=\"p\";");

        Map<String, Object> props = JobIndexer.consumerProperties(kafka, new StubWorkerConfig(), CONFIG);

        assertThat(props).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "generation-worker-index")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 300)
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
                .containsEntry(SaslConfigs.SASL_MECHANISM, "PLAIN");
        assertThat((String) props.get(ConsumerConfig.CLIENT_ID_CONFIG)).contains("-index-");
    }

    @Test
    void withTheConsumerGroupProtocolItLeavesTheAssignmentToTheBroker() {
        Map<String, Object> props = JobIndexer.consumerProperties(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"), new StubWorkerConfig(), CONFIG);

        assertThat(props).doesNotContainKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()).close();
    }
}
