package io.genworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Refusals are named as ACLs name permissions, one per client, counted, and cleared by the client. */
class KafkaAuthorizationTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KafkaAuthorization authorization = new KafkaAuthorization(new WorkerMetrics(registry));

    @Test
    void thePermissionComesFromTheExceptionAndTheClientsOperation() {
        assertThat(KafkaAuthorization.permission(new TopicAuthorizationException(Set.of("b", "a")), "WRITE"))
                .isEqualTo("WRITE on Topic a, b");
        assertThat(KafkaAuthorization.permission(GroupAuthorizationException.forGroupId("generation-worker-tracker"),
                "READ")).isEqualTo("READ on Group generation-worker-tracker");
        assertThat(KafkaAuthorization.permission(new TransactionalIdAuthorizationException("refused"), "WRITE"))
                .isEqualTo("WRITE on TransactionalId");
        assertThat(KafkaAuthorization.permission(new ClusterAuthorizationException("refused"), "CREATE"))
                .isEqualTo("CREATE on Cluster kafka-cluster");
    }

    @Test
    void anAuthorizationFailureIsFoundAmongTheCausesOnly() {
        TopicAuthorizationException denied = new TopicAuthorizationException(Set.of("generation.jobs"));

        assertThat(KafkaAuthorization.authorizationFailure(new ExecutionException(new KafkaException(denied))))
                .containsSame(denied);
        assertThat(KafkaAuthorization.authorizationFailure(new KafkaException(new TimeoutException("slow"))))
                .isEmpty();
    }

    @Test
    void aRefusalIsReplacedByTheNextOfItsClientAndEndsWhenTheClientIsAllowed() {
        authorization.refused("tracker", "READ on Group g", GroupAuthorizationException.forGroupId("g"));
        authorization.refused("writer", "WRITE on Topic t", new TopicAuthorizationException(Set.of("t")));
        authorization.refused("tracker", "READ on Topic j", new TopicAuthorizationException(Set.of("j")));

        assertThat(authorization.refusals()).containsExactly(Map.entry("tracker", "READ on Topic j"),
                Map.entry("writer", "WRITE on Topic t"));
        assertThat(failures("tracker")).isEqualTo(2);
        assertThat(failures("writer")).isEqualTo(1);

        authorization.allowed("tracker");
        authorization.allowed("intake");
        assertThat(authorization.refusals()).containsOnlyKeys("writer");
    }

    @Test
    void everyKnownClientCountsFromZero() {
        authorization.registerKnown(null);

        assertThat(KafkaAuthorization.KNOWN_CLIENTS).allSatisfy(client -> assertThat(failures(client)).isZero());
        assertThat(registry.find(WorkerMetrics.KAFKA_AUTHORIZATION_FAILURES).counters())
                .hasSize(KafkaAuthorization.KNOWN_CLIENTS.size());
    }

    private double failures(String client) {
        return registry.get(WorkerMetrics.KAFKA_AUTHORIZATION_FAILURES).tag("client", client).counter().count();
    }
}
