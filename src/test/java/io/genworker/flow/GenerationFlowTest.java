package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

import io.genworker.intake.DeadLetterPublisher;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Requests in, results out, through a real broker and the provider simulator. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class GenerationFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/q/health/ready")
    URL readinessUrl;
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

    @Test
    void everyRequestEndsInOneCompletedResultAfterOneSubmission() {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            String id = newJobId("batch");
            requests.put(id, Requests.anyModel(id, i).toString());
        }
        topics.sendAll(requests);

        List<ConsumerRecord<String, String>> records = topics.resultRecords(requests.keySet(), requests.size(), WAIT);

        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(requests.keySet());
        for (ConsumerRecord<String, String> record : records) {
            JsonNode result = WorkerTopics.parse(record.value());
            assertThat(result.path("jobId").asText()).isEqualTo(record.key());
            assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(result.path("provider").asText()).isEqualTo("aimlapi");
            assertThat(result.path("model").asText()).startsWith("pixverse/v5/");
            assertThat(result.path("providerJobId").asText()).isNotBlank();
            assertThat(result.path("video").path("url").asText()).startsWith("https://cdn.aimlapi.com/");
            assertThat(result.path("usage").path("credits").asDouble()).isEqualTo(420000);
            assertThat(result.path("polls").asInt()).isPositive();
            assertThat(result.path("timing").path("submittedAt").asText()).isNotBlank();
            assertThat(result.path("timing").path("finishedAt").asText()).isNotBlank();
            assertThat(result.has("error")).isFalse();
            assertThat(header(record, "ce_type")).isEqualTo("generation.completed");
            assertThat(header(record, "ce_subject")).isEqualTo(record.key());
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_id")).isNotBlank();
            assertThat(header(record, "ce_source")).isNotBlank();
            assertThat(simulator().submissionsOf(Requests.prompt(record.key()))).isEqualTo(1);
        }
    }

    @Test
    void metadataComesBackWithTheResult() {
        String id = newJobId("metadata");
        topics.send(id, Requests.textToVideo(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("metadata").path("tenant").asText()).isEqualTo("test");
    }

    @Test
    void invalidRequestFailsNamingTheRuleAndNeverReachesTheProvider() {
        String id = newJobId("invalid");
        var request = Requests.textToVideo(id);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("input")).put("resolution", "1080p")
                .put("duration", 8);
        topics.send(id, request.toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.path("error").path("retryable").asBoolean()).isFalse();
        JsonNode detail = result.path("error").path("details").get(0);
        assertThat(detail.path("field").asText()).isEqualTo("input.duration");
        assertThat(detail.path("rule").asText()).contains("1080p");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isZero();
    }

    @Test
    void unknownModelFailsAsUnsupported() {
        String id = newJobId("unsupported");
        var request = Requests.textToVideo(id).put("model", "sora/v9");
        topics.send(id, request.toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("error").path("code").asText()).isEqualTo("UNSUPPORTED_MODEL");
        assertThat(result.path("error").path("details").get(0).path("field").asText()).isEqualTo("model");
    }

    @Test
    void bytesThatAreNotJsonGoToTheDeadLetterTopicAndTheNextRequestStillCompletes() {
        String garbageKey = newJobId("garbage");
        String next = newJobId("after-garbage");
        topics.sendBytes(garbageKey, "{not json".getBytes(StandardCharsets.UTF_8));
        topics.send(next, Requests.textToVideo(next).toString());

        ConsumerRecord<String, String> dead = topics.records(WorkerTopics.DLQ, List.of(garbageKey), 1, WAIT).get(0);
        JsonNode result = topics.awaitResult(next, WAIT);

        assertThat(dead.value()).isEqualTo("{not json");
        assertThat(header(dead, DeadLetterPublisher.REASON)).startsWith("not valid JSON");
        assertThat(header(dead, DeadLetterPublisher.ORIGINAL_TOPIC)).isEqualTo(WorkerTopics.REQUESTS);
        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void rateLimitsAndServerErrorsOnPollsStillComplete() {
        String id = newJobId("flaky");
        Fault[] faults = {Fault.rateLimited("1"), Fault.status(503), Fault.status(500), Fault.status(502),
            Fault.rateLimited(null)};
        simulator().failPollsOf(id, faults);
        topics.send(id, Requests.transition(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        assertThat(simulator().faultsReceivedBy(ProviderSimulator.POLL, id)).containsExactly(faults);
    }

    @Test
    void rateLimitedSubmissionIsRetriedUntilAccepted() {
        String id = newJobId("submit-429");
        Fault[] faults = {Fault.rateLimited("1"), Fault.status(503)};
        simulator().failSubmitsOf(id, faults);
        topics.send(id, Requests.imageToVideo(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        assertThat(simulator().faultsReceivedBy(ProviderSimulator.SUBMIT, id)).containsExactly(faults);
        // Each refusal puts the job back to REQUESTED once; the tracker reads that record back as its own echo, not
        // as a repeated request to answer with another record.
        assertThat(topics.records(WorkerTopics.JOBS, List.of(id), 8, WAIT))
                .extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "REQUESTED", "SUBMITTING", "REQUESTED", "SUBMITTING",
                        "SUBMITTED", "COMPLETED");
    }

    @Test
    void providerReportedFailureEndsAsGenerationFailed() {
        String id = newJobId("gen-error");
        var request = Requests.textToVideo(id);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("input"))
                .put("prompt", Requests.prompt(id) + " [sim:error]");
        topics.send(id, request.toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("error").path("code").asText()).isEqualTo("GENERATION_FAILED");
        assertThat(result.path("error").path("message").asText()).contains("failed on the provider");
    }

    @Test
    void moderationFailureEndsAsContentBlocked() {
        String id = newJobId("blocked");
        var request = Requests.textToVideo(id);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("input"))
                .put("prompt", Requests.prompt(id) + " [sim:blocked]");
        topics.send(id, request.toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("error").path("code").asText()).isEqualTo("CONTENT_BLOCKED");
        assertThat(result.path("error").path("retryable").asBoolean()).isFalse();
    }

    @Test
    void aRepeatedJobIdIsSubmittedOnceAndAnsweredOnce() {
        String id = newJobId("twice");
        String request = Requests.textToVideo(id).toString();
        topics.send(id, request);
        topics.awaitResult(id, WAIT);
        topics.send(id, request);

        // REQUESTED, SUBMITTING, SUBMITTED, COMPLETED, the duplicate REQUESTED, then COMPLETED re-asserted after it
        // so that compaction keeps the finished state: proof the duplicate was seen and answered with no new call.
        List<ConsumerRecord<String, String>> log = topics.records(WorkerTopics.JOBS, List.of(id), 6, WAIT);
        List<ConsumerRecord<String, String>> results = topics.resultRecords(List.of(id), 1, WAIT);

        assertThat(log).extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED", "REQUESTED", "COMPLETED");
        assertThat(results).hasSize(1);
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
    }

    /**
     * Issue 11 item 7: a resend of a job id in flight, now with an invalid field, is refused at intake; the refusal
     * goes through the job log, where the tracker sees the id in flight and counts it as a duplicate. The job id
     * gets one answer, the original's.
     */
    @Test
    void anInvalidResendOfAJobInFlightIsADuplicateAndTheJobIdGetsOneAnswer() {
        String id = newJobId("resent-invalid");
        var request = Requests.textToVideo(id);
        List<ConsumerRecord<String, String>> log;
        List<ConsumerRecord<String, String>> results;
        // Long enough for the resend to arrive while the generation runs.
        simulator().generationTime(Duration.ofSeconds(6));
        try {
            topics.send(id, request.toString());
            await().atMost(WAIT).until(() -> simulator().submissionsOf(Requests.prompt(id)) == 1);
            ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("input")).put("resolution", "1080p")
                    .put("duration", 8);
            topics.send(id, request.toString());

            // REQUESTED, SUBMITTING, SUBMITTED, the refusal, SUBMITTED again after it (the refusal must not stay
            // the job's last word), COMPLETED: the refusal seen, never answered.
            log = topics.records(WorkerTopics.JOBS, List.of(id), 6, WAIT);
            results = topics.resultRecords(List.of(id), 1, WAIT);
        } finally {
            simulator().generationTime(Duration.ofSeconds(1));
        }

        assertThat(log).extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "SUBMITTED", "REFUSED", "SUBMITTED", "COMPLETED");
        assertThat(results).hasSize(1);
        assertThat(WorkerTopics.parse(results.get(0).value()).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
    }

    @Test
    void anInvalidResendOfAFinishedJobGetsNoSecondAnswer() {
        String id = newJobId("finished-then-invalid");
        var request = Requests.textToVideo(id);
        topics.send(id, request.toString());
        topics.awaitResult(id, WAIT);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("input")).put("resolution", "1080p")
                .put("duration", 8);
        topics.send(id, request.toString());

        List<ConsumerRecord<String, String>> log = topics.records(WorkerTopics.JOBS, List.of(id), 6, WAIT);
        List<ConsumerRecord<String, String>> results = topics.resultRecords(List.of(id), 1, WAIT);

        assertThat(log).extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED", "REFUSED", "COMPLETED");
        assertThat(results).hasSize(1);
        assertThat(WorkerTopics.parse(results.get(0).value()).path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aRefusedKeyPausesTheProviderWithoutFailingItsJobsUntilTheKeyIsAcceptedAgain() throws Exception {
        String id = newJobId("bad-key");
        simulator().acceptKey("rotated-key");
        try {
            topics.send(id, Requests.textToVideo(id).toString());
            await().atMost(WAIT).until(() -> readiness().body().contains("paused since"));
            assertThat(readiness().statusCode()).isEqualTo(503);
        } finally {
            simulator().acceptKey(ProviderSimulator.AIMLAPI_KEY);
        }

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        await().atMost(WAIT).until(() -> readiness().statusCode() == 200);
    }

    @Test
    void runningOutOfCreditsWhilePollingDoesNotFailTheJob() {
        String id = newJobId("no-credits");
        Fault[] faults = {Fault.status(406), Fault.status(406)};
        simulator().failPollsOf(id, faults);
        topics.send(id, Requests.textToVideo(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator().faultsReceivedBy(ProviderSimulator.POLL, id)).containsExactly(faults);
    }

    private HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(readinessUrl.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
