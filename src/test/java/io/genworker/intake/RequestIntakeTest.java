package io.genworker.intake;

import static io.genworker.support.ModelIds.TEXT_TO_VIDEO;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.joblog.JobLog;
import io.genworker.kafka.KafkaAuthorization;
import io.genworker.kafka.KafkaWriter;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.support.ScriptedProducer;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Issue 11 item 8: a batch whose writes partly fail retries only the failed writes, each until it lands, and is
 * done (acked) only once all have. The refusal and the dead letter that landed at once are not published again.
 */
class RequestIntakeTest {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final WorkerConfig CONFIG = new StubWorkerConfig();
    private static final String REQUESTS = CONFIG.topics().requests();

    private final ScriptedProducer producer = new ScriptedProducer();
    private final KafkaWriter writer = new KafkaWriter(producer, System::nanoTime,
            new KafkaAuthorization(new WorkerMetrics(new SimpleMeterRegistry())));
    private final RequestReader reader = new RequestReader(ModelCatalogue.fromClasspath(JSON), CONFIG.intake(), 7200);
    private final RequestIntake intake = new RequestIntake(reader, new CancelCommandReader(reader),
            new JobLog(writer, JSON, CONFIG),
            new DeadLetterPublisher(writer, CONFIG), new WorkerMetrics(new SimpleMeterRegistry()), CONFIG,
            Clock.systemUTC());

    @AfterEach
    void close() {
        writer.close();
    }

    @Test
    void aFailedWriteIsRetriedAloneAndTheBatchIsDoneOnceEveryWriteLanded() {
        int failures = 3;
        producer.failNext("flaky", failures);
        List<ConsumerRecord<String, byte[]>> batch = List.of(
                request(0, "steady", valid("steady")),
                request(1, "refused", refused("refused")),
                request(2, "garbage", "{{{ not json".getBytes(StandardCharsets.UTF_8)),
                request(3, "flaky", valid("flaky")));

        CompletableFuture<Void> written = intake.writeAll(batch).subscribeAsCompletionStage();

        Awaitility.await("every write landed").atMost(Duration.ofMinutes(1)).until(written::isDone);
        assertThat(written).isCompleted();
        assertThat(producer.sendsOf(CONFIG.topics().jobs(), "flaky")).as("the failed write, until it landed")
                .isEqualTo(failures + 1);
        assertThat(producer.sendsOf(CONFIG.topics().jobs(), "steady")).as("its neighbour in the job log")
                .isEqualTo(1);
        assertThat(producer.sendsOf(CONFIG.topics().jobs(), "refused")).as("the refusal, on its way to the tracker")
                .isEqualTo(1);
        assertThat(producer.sendsOf(CONFIG.topics().deadLetters(), "garbage")).as("the dead letter").isEqualTo(1);
        assertThat(producer.history()).as("records that reached the broker").hasSize(4);
    }

    @Test
    void theBatchIsNotDoneWhileAWriteStillFails() {
        producer.failNext("flaky", Integer.MAX_VALUE);

        CompletableFuture<Void> written = intake.writeAll(List.of(request(0, "steady", valid("steady")),
                request(1, "flaky", valid("flaky")))).subscribeAsCompletionStage();

        Awaitility.await("the failed write tried again").atMost(Duration.ofMinutes(1))
                .until(() -> producer.sendsOf(CONFIG.topics().jobs(), "flaky") >= 3);
        assertThat(written).as("not acked while a write has not landed").isNotDone();
        assertThat(producer.sendsOf(CONFIG.topics().jobs(), "steady")).isEqualTo(1);
        written.cancel(true); // stops the retries
    }

    private static ConsumerRecord<String, byte[]> request(long offset, String key, byte[] value) {
        return new ConsumerRecord<>(REQUESTS, 0, offset, key, value);
    }

    private static byte[] valid(String jobId) {
        return ModelInputs.request(jobId, TEXT_TO_VIDEO).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] refused(String jobId) {
        ObjectNode request = ModelInputs.request(jobId, TEXT_TO_VIDEO);
        request.put("model", "no-such-model");
        return request.toString().getBytes(StandardCharsets.UTF_8);
    }
}
