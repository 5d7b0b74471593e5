package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The topics the worker creates at start-up, read back from the broker: the job log must be compacted yet expire
 * after the dedup window and keep an hour uncompacted for replays; all four topics get the configured partition
 * count (the broker's own default, for a topic it creates on first use, is one).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class TopicSettingsTest {

    private static final List<String> TOPICS = List.of(WorkerTopics.REQUESTS, WorkerTopics.JOBS,
            WorkerTopics.RESULTS, WorkerTopics.DLQ);

    @Inject
    WorkerConfig config;

    @Test
    void theJobLogIsCompactedAndExpiresAfterTheDedupWindow() throws Exception {
        ConfigResource jobs = new ConfigResource(ConfigResource.Type.TOPIC, WorkerTopics.JOBS);
        Config settings;
        try (Admin admin = admin()) {
            settings = admin.describeConfigs(List.of(jobs)).all().get(30, TimeUnit.SECONDS).get(jobs);
        }

        assertThat(settings.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact,delete");
        assertThat(settings.get(TopicConfig.RETENTION_MS_CONFIG).value())
                .isEqualTo(Long.toString(config.topics().dedupWindow().toMillis()));
        assertThat(settings.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG).value()).isEqualTo("3600000");
        assertThat(settings.get(TopicConfig.SEGMENT_MS_CONFIG).value()).as("segments roll so compaction keeps up")
                .isEqualTo("3600000");
    }

    @Test
    void allFourTopicsHaveTheConfiguredPartitionCount() throws Exception {
        Map<String, TopicDescription> topics;
        try (Admin admin = admin()) {
            topics = admin.describeTopics(TOPICS).allTopicNames().get(30, TimeUnit.SECONDS);
        }

        assertThat(topics).hasSize(TOPICS.size());
        topics.values().forEach(topic -> assertThat(topic.partitions()).as(topic.name())
                .hasSize(config.topics().partitions()));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers()));
    }
}
