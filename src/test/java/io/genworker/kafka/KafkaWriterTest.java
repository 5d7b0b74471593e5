package io.genworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics;
import io.genworker.support.ScriptedProducer;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Issue 11 item 9: no write waits without a bound. A send that cannot get its topic's metadata fails within the
 * producer's max.block.ms and does not make every later send to that topic wait as long again; a flush gives up at
 * its deadline.
 */
class KafkaWriterTest {

    private static final String JOBS = "generation.jobs";
    private static final String RESULTS = "generation.results";

    private final ScriptedProducer producer = new ScriptedProducer();
    private final AtomicLong nanos = new AtomicLong();
    private final KafkaAuthorization authorization =
            new KafkaAuthorization(new WorkerMetrics(new SimpleMeterRegistry()));
    private final KafkaWriter writer = new KafkaWriter(producer, nanos::get, authorization);

    @AfterEach
    void close() {
        writer.close();
    }

    @Test
    void aTopicWithoutMetadataFailsItsLaterSendsAtOnceAndHoldsNoOtherTopic() {
        producer.noMetadataFor(JOBS);

        assertThatThrownBy(() -> send(JOBS, "a")).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> send(JOBS, "b")).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no metadata for " + JOBS);
        assertThat(send(RESULTS, "c")).as("another topic is sent meanwhile").isNotNull();
        assertThat(producer.sendsTo(JOBS)).as("sends to the topic that waited for metadata").isEqualTo(1);

        nanos.addAndGet(KafkaWriter.METADATA_WAIT.toNanos());
        producer.heal(JOBS);
        assertThat(send(JOBS, "d")).as("tried again once the wait is over").isNotNull();
        assertThat(producer.sendsTo(JOBS)).isEqualTo(2);
    }

    @Test
    void aSendWithoutMetadataFailsAfterTheProducersBoundedWait() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        KafkaWriter unreachable = new KafkaWriter(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + closedPort), new StubWorkerConfig(), authorization);
        try {
            CompletableFuture<RecordMetadata> sent = unreachable.send(record(JOBS, "a")).subscribeAsCompletionStage();
            // The bound is in Kafka's own message: "not present in metadata after <max.block.ms> ms".
            Awaitility.await().atMost(Duration.ofMinutes(2)).until(sent::isDone);
            assertThatThrownBy(sent::join).hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("after " + KafkaWriter.METADATA_WAIT.toMillis() + " ms");
        } finally {
            unreachable.close();
        }
    }

    @Test
    void flushWaitsForWhatWasSentAndGivesUpAtItsDeadline() {
        send(RESULTS, "landed");
        assertThat(writer.flush(Duration.ofSeconds(30))).as("nothing outstanding").isTrue();

        producer.silence(JOBS);
        CompletableFuture<RecordMetadata> unanswered = writer.send(record(JOBS, "lost-in-transit"))
                .subscribeAsCompletionStage();
        Awaitility.await().until(() -> producer.sendsTo(JOBS) == 1);

        CompletableFuture<Boolean> flushed = CompletableFuture.supplyAsync(() -> writer.flush(Duration.ofMillis(200)));
        Awaitility.await("flush returned at its deadline").atMost(Duration.ofMinutes(1)).until(flushed::isDone);
        assertThat(flushed.join()).as("a write unanswered at the deadline").isFalse();
        assertThat(unanswered).isNotDone();
    }

    @Test
    void aRefusedTopicIsNamedUntilASendToItLandsWhateverOtherTopicsDo() {
        producer.refuse(JOBS).refuse(RESULTS);

        assertThatThrownBy(() -> send(JOBS, "a")).isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> send(RESULTS, "b")).isInstanceOf(TopicAuthorizationException.class);
        assertThat(authorization.refusals()).containsExactly(
                Map.entry("writer", "WRITE on Topic generation.jobs; WRITE on Topic generation.results"));

        producer.heal(RESULTS);
        send(RESULTS, "c");
        assertThatThrownBy(() -> send(JOBS, "d")).isInstanceOf(TopicAuthorizationException.class);
        assertThat(authorization.refusals()).as("the job log is still refused")
                .containsExactly(Map.entry("writer", "WRITE on Topic generation.jobs"));

        producer.heal(JOBS);
        send(JOBS, "e");
        assertThat(authorization.refusals()).isEmpty();
    }

    private RecordMetadata send(String topic, String key) {
        return writer.send(record(topic, key)).await().atMost(Duration.ofSeconds(30));
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key) {
        return new ProducerRecord<>(topic, key, key.getBytes(StandardCharsets.UTF_8));
    }
}
