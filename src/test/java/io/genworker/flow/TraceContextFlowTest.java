package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

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

/** A request's W3C trace context comes back on its result and rides on every job-log record in between. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class TraceContextFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    private final WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());

    @AfterEach
    void disconnect() {
        topics.close();
    }

    @Test
    void theResultAndEveryJobLogRecordCarryTheRequestsTraceContext() {
        String id = "traced-" + UUID.randomUUID();
        send(id, Requests.textToVideo(id), TRACEPARENT, TRACESTATE);

        ConsumerRecord<String, String> result = topics.resultRecords(List.of(id), 1, WAIT).get(0);
        List<ConsumerRecord<String, String>> log = topics.records(WorkerTopics.JOBS, List.of(id), 4, WAIT);

        assertThat(header(result, "traceparent")).isEqualTo(TRACEPARENT);
        assertThat(header(result, "tracestate")).isEqualTo(TRACESTATE);
        assertThat(log).extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED");
        for (ConsumerRecord<String, String> record : log) {
            assertThat(header(record, "traceparent")).isEqualTo(TRACEPARENT);
            assertThat(header(record, "tracestate")).isEqualTo(TRACESTATE);
            // In the value too: a worker that takes the job over after a restart resumes from the record alone.
            assertThat(WorkerTopics.parse(record.value()).path("trace").path("traceparent").asText())
                    .isEqualTo(TRACEPARENT);
        }
    }

    @Test
    void aMalformedTraceparentIsDroppedNotPropagated() {
        String id = "badly-traced-" + UUID.randomUUID();
        send(id, Requests.textToVideo(id), "00-not-a-trace-id-01", TRACESTATE);

        ConsumerRecord<String, String> result = topics.resultRecords(List.of(id), 1, WAIT).get(0);

        assertThat(WorkerTopics.parse(result.value()).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.headers().lastHeader("traceparent")).isNull();
        assertThat(result.headers().lastHeader("tracestate")).isNull();
    }

    @Test
    void aRefusedRequestsResultCarriesItsTraceContext() {
        String id = "traced-unsupported-" + UUID.randomUUID();
        send(id, Requests.textToVideo(id).put("model", "sora/v9"), TRACEPARENT, null);

        ConsumerRecord<String, String> result = topics.resultRecords(List.of(id), 1, WAIT).get(0);

        assertThat(WorkerTopics.parse(result.value()).path("status").asText()).isEqualTo("FAILED");
        assertThat(header(result, "traceparent")).isEqualTo(TRACEPARENT);
        assertThat(result.headers().lastHeader("tracestate")).isNull();
    }

    private void send(String id, ObjectNode request, String traceparent, String tracestate) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        if (tracestate != null) {
            headers.add("tracestate", tracestate.getBytes(StandardCharsets.UTF_8));
        }
        topics.companion().produceStrings()
                .fromRecords(new ProducerRecord<>(WorkerTopics.REQUESTS, null, id, request.toString(), headers))
                .awaitCompletion();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
