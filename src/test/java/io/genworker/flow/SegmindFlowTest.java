package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Segmind's two PixVerse transition models, from request to result, through a real broker and the simulator. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class SegmindFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WorkerTopics topics;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    private static String newJobId(String what) {
        return what + "-" + UUID.randomUUID();
    }

    private static ObjectNode withPromptMarker(ObjectNode request, String jobId, String marker) {
        ((ObjectNode) request.get("input")).put("prompt", Requests.prompt(jobId) + " " + marker);
        return request;
    }

    @Test
    void eachSegmindModelCompletesAfterOneSubmission() {
        Map<String, String> requests = new LinkedHashMap<>();
        // Three of each: the simulator rotates the output's shape (URL, array of URLs, object) per submission.
        for (int i = 0; i < 6; i++) {
            String id = newJobId("segmind");
            requests.put(id, (i % 2 == 0 ? Requests.segmindTransition(id) : Requests.segmindTransitionV4(id))
                    .toString());
        }
        topics.sendAll(requests);

        List<ConsumerRecord<String, String>> records = topics.resultRecords(requests.keySet(), requests.size(), WAIT);

        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(requests.keySet());
        for (ConsumerRecord<String, String> record : records) {
            JsonNode result = WorkerTopics.parse(record.value());
            JsonNode request = WorkerTopics.parse(requests.get(record.key()));
            assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(result.path("provider").asText()).isEqualTo("segmind");
            assertThat(result.path("model").asText()).isEqualTo(request.path("model").asText());
            assertThat(result.path("providerJobId").asText()).isNotBlank();
            assertThat(result.path("video").path("url").asText())
                    .isEqualTo("https://outputs.segmind.example/sim/" + result.path("providerJobId").asText()
                            + ".mp4");
            assertThat(result.path("polls").asInt()).isPositive();
            assertThat(result.has("error")).isFalse();
            assertThat(simulator().submissionsOf(Requests.prompt(record.key()))).isEqualTo(1);
        }
        assertThat(simulator().segmindKeysSeen()).containsOnly(ProviderSimulator.SEGMIND_KEY);
    }

    @Test
    void pixverse5TransitionIsSentWithTheDefaultsOfItsDocumentedRequiredParameters() {
        String id = newJobId("segmind-defaults");
        topics.send(id, Requests.segmindTransition(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.path("metadata").path("tenant").asText()).isEqualTo("test");
        JsonObject sent = simulator().submittedBodies().stream()
                .filter(body -> Requests.prompt(id).equals(body.getString("prompt"))).findFirst().orElseThrow();
        assertThat(sent.getInteger("duration")).isEqualTo(5);
        assertThat(sent.getString("motion_mode")).isEqualTo("normal");
        assertThat(sent.getString("quality")).isEqualTo("540p");
        assertThat(sent.getString("first_frame_url")).isEqualTo(Requests.IMAGE);
    }

    @Test
    void aFailedGenerationEndsAsGenerationFailed() {
        String id = newJobId("segmind-error");
        topics.send(id, withPromptMarker(Requests.segmindTransition(id), id, "[sim:error]").toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("provider").asText()).isEqualTo("segmind");
        assertThat(result.path("error").path("code").asText()).isEqualTo("GENERATION_FAILED");
        assertThat(result.path("error").path("retryable").asBoolean()).isTrue();
        assertThat(result.path("error").path("message").asText()).contains("failed on the provider");
    }

    @Test
    void aBlockedGenerationEndsAsContentBlocked() {
        String id = newJobId("segmind-blocked");
        topics.send(id, withPromptMarker(Requests.segmindTransitionV4(id), id, "[sim:blocked]").toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("error").path("code").asText()).isEqualTo("CONTENT_BLOCKED");
        assertThat(result.path("error").path("retryable").asBoolean()).isFalse();
    }

    @Test
    void anExpiredRequestEndsAsResultExpired() {
        String id = newJobId("segmind-expired");
        topics.send(id, withPromptMarker(Requests.segmindTransition(id), id, "[sim:forever]").toString());
        // REQUESTED, SUBMITTING, SUBMITTED: the provider holds the request, which then expires.
        topics.records(WorkerTopics.JOBS, List.of(id), 3, WAIT);
        assertThat(simulator().expireWhere(id)).isEqualTo(1);

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("error").path("code").asText()).isEqualTo("RESULT_EXPIRED");
        assertThat(result.path("providerJobId").asText()).isNotBlank();
        assertThat(simulator().submissionsOf(Requests.prompt(id) + " [sim:forever]")).isEqualTo(1);
    }

    @Test
    void rateLimitsAndServerErrorsOnPollsStillComplete() {
        String id = newJobId("segmind-flaky");
        Fault[] faults = {Fault.rateLimited("1"), Fault.status(503), Fault.status(500), Fault.status(502),
            Fault.rateLimited(null)};
        simulator().failPollsOf(id, faults);
        topics.send(id, Requests.segmindTransition(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        assertThat(simulator().faultsReceivedBy(ProviderSimulator.POLL, id)).containsExactly(faults);
    }

    @Test
    void rateLimitedSubmissionIsRetriedUntilAccepted() {
        String id = newJobId("segmind-submit-429");
        Fault[] faults = {Fault.rateLimited("1"), Fault.status(503)};
        simulator().failSubmitsOf(id, faults);
        topics.send(id, Requests.segmindTransitionV4(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        assertThat(simulator().faultsReceivedBy(ProviderSimulator.SUBMIT, id)).containsExactly(faults);
    }

    @Test
    void a1080pEightSecondRequestIsRefusedBeforeReachingSegmind() {
        String id = newJobId("segmind-invalid");
        ObjectNode request = Requests.segmindTransitionV4(id);
        ((ObjectNode) request.get("input")).put("quality", "1080p").put("duration", 8);
        topics.send(id, request.toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.path("error").path("details").get(0).path("rule").asText()).startsWith("1080p-max-5s");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isZero();
    }
}
