package io.genworker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.genworker.kafka.KafkaAuthorization;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The intake consumer's refusals, which the connector tells only in its log: a logged authorization failure is
 * recorded, other failures are not, and the refusal ends with an assignment or after a quiet spell of retries.
 */
class IntakeConsumerTest {

    private static final Duration QUIET = Duration.ofSeconds(30);

    private final AtomicLong nanos = new AtomicLong();
    private final KafkaAuthorization authorization =
            new KafkaAuthorization(new WorkerMetrics(new SimpleMeterRegistry()));
    private final IntakeConsumer intake = new IntakeConsumer(Map.of("client.id", "acme"), new StubWorkerConfig(),
            authorization, QUIET, nanos::get);
    private final Logger connector = Logger.getLogger(IntakeConsumer.CONNECTOR_CATEGORY);

    @AfterEach
    void stop() {
        intake.stopListening();
    }

    @Test
    void anAuthorizationFailureTheConnectorLogsIsTheIntakesRefusalUntilAnAssignment() {
        intake.listen();
        connector.log(Level.WARNING, "SRMSG18285: Failed to poll consumer client", new TimeoutException("slow"));
        assertThat(authorization.refusals()).as("not an authorization failure").isEmpty();

        connector.log(Level.WARNING, "SRMSG18285: Failed to poll consumer client",
                GroupAuthorizationException.forGroupId("generation-worker-intake"));
        assertThat(authorization.refusals())
                .containsExactly(Map.entry("intake", "READ on Group generation-worker-intake"));

        intake.onPartitionsAssigned(null, List.of());
        assertThat(authorization.refusals()).isEmpty();
    }

    @Test
    void aRefusalNotSeenAgainForTheQuietSpellIsOver() {
        intake.failed(new TopicAuthorizationException(Set.of("generation.requests")));
        nanos.addAndGet(QUIET.toNanos() - 1);
        intake.checkQuiet();
        assertThat(authorization.refusals()).containsExactly(Map.entry("intake", "READ on Topic generation.requests"));

        intake.failed(new TopicAuthorizationException(Set.of("generation.requests")));
        nanos.addAndGet(QUIET.toNanos() - 1);
        intake.checkQuiet();
        assertThat(authorization.refusals()).as("failed again meanwhile").isNotEmpty();

        nanos.addAndGet(1);
        intake.checkQuiet();
        assertThat(authorization.refusals()).isEmpty();
    }

    @Test
    void theQuietSpellOutlastsASessionOfRefusedHeartbeatsAndTwoRetries() {
        assertThat(IntakeConsumer.quiet(Duration.ofSeconds(10), Duration.ofSeconds(45)))
                .isEqualTo(Duration.ofSeconds(65));
    }

    @Test
    void theIntakeChannelsConsumerGetsTheWorkersClientId() {
        Map<String, Object> customized = intake.customize(RequestIntake.CHANNEL, null,
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "kafka-consumer-requests"));
        Map<String, Object> other = Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "kafka-consumer-other");

        assertThat(customized.get(ConsumerConfig.CLIENT_ID_CONFIG).toString()).startsWith("acme-intake-");
        assertThat(intake.customize("other", null, other)).isSameAs(other);
    }
}
