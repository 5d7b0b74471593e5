package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Issue 12 item 4: with kafka.group.protocol=consumer (KIP-848) the worker starts (its job-log consumer no longer
 * sets the session, heartbeat and assignment settings that protocol refuses), both its groups are consumer groups
 * of the new protocol on the broker, and a job completes.
 */
@QuarkusTest
@TestProfile(ConsumerGroupProtocolProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ConsumerGroupProtocolTest {

    @Test
    void theWorkerRunsWithTheConsumerGroupProtocol() throws Exception {
        String id = "kip848-" + UUID.randomUUID();
        try (WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KafkaBrokerResource.bootstrapServers()))) {
            topics.send(id, Requests.textToVideo(id).toString());
            JsonNode result = topics.awaitResult(id, Duration.ofSeconds(90));

            assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(
                    List.of(WorkerTopics.TRACKER_GROUP, "generation-worker-intake")).all().get(30, TimeUnit.SECONDS);
            assertThat(groups.values()).allSatisfy(group -> {
                assertThat(group.type()).as(group.groupId()).isEqualTo(GroupType.CONSUMER);
                assertThat(group.members()).as(group.groupId()).hasSize(1);
            });
        }
    }
}
