package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** What the README promises about a result's headers: a deterministic ce_id, and no ambiguous trace context. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ResultHeadersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());

    @AfterEach
    void disconnect() {
        topics.close();
    }
    /** Whoever writes the result (the tracker's transaction, or intake refusing a request), ce_id is jobId/status. */
    @Test
    void ceIdIsTheJobIdAndTheStatus() {
        String completed = "ce-id-completed-" + UUID.randomUUID();
        String failed = "ce-id-failed-" + UUID.randomUUID();
        String refused = "ce-id-refused-" + UUID.randomUUID();
        ObjectNode failing = Requests.textToVideo(failed);
        ((ObjectNode) failing.get("input")).put("prompt", Requests.prompt(failed) + " [sim:error]");
        topics.send(completed, Requests.textToVideo(completed).toString());
        topics.send(failed, failing.toString());
        topics.send(refused, Requests.textToVideo(refused).put("model", "sora/v9").toString());

        List<ConsumerRecord<String, String>> results = topics.resultRecords(List.of(completed, failed, refused), 3,
                WAIT);

        assertThat(results).extracting(ConsumerRecord::key, r -> header(r, "ce_id")).containsExactlyInAnyOrder(
                tuple(completed, completed + "/completed"),
                tuple(failed, failed + "/failed"),
                tuple(refused, refused + "/failed"));
    }

    /** Two traceparent headers name no single parent: the worker passes on neither (nor the tracestate). */
    @Test
    void aTraceparentGivenTwiceIsDropped() {
        String id = "traced-twice-" + UUID.randomUUID();
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", bytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        headers.add("traceparent", bytes("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        headers.add("tracestate", bytes("congo=t61rcWkgMzE"));
        topics.companion().produceStrings().fromRecords(new ProducerRecord<>(WorkerTopics.REQUESTS, null, id,
                Requests.textToVideo(id).toString(), headers)).awaitCompletion();

        ConsumerRecord<String, String> result = topics.resultRecords(List.of(id), 1, WAIT).get(0);
        List<ConsumerRecord<String, String>> log = topics.records(WorkerTopics.JOBS, List.of(id), 4, WAIT);

        assertThat(WorkerTopics.parse(result.value()).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.headers().headers("traceparent")).isEmpty();
        assertThat(result.headers().headers("tracestate")).isEmpty();
        for (ConsumerRecord<String, String> record : log) {
            assertThat(record.headers().headers("traceparent")).isEmpty();
            assertThat(WorkerTopics.parse(record.value()).has("trace")).isFalse();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
