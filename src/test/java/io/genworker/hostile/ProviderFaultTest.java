package io.genworker.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.config.WorkerConfig;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Call;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Provider faults injected into the simulator, one job each (faults target the job's prompt): every job ends once,
 * completed after the fault clears or failed with the code that says what happened, and retries stay within the
 * backoff schedule and Retry-After. Calls are counted where they arrive, in the simulator.
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ProviderFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration SLOWER_THAN_THE_CLIENT =
            Duration.ofMillis(HostileProfile.CLIENT_TIMEOUT_MILLIS + 1000);
    /** A job's deadline when it must end while its provider keeps failing. */
    private static final int SHORT_TIMEOUT_SECONDS = 3;
    /** "Down for minutes", scaled down with the rest of the test profile's intervals. */
    private static final Duration OUTAGE = Duration.ofSeconds(4);

    private static WorkerTopics topics;
    private static int faultsBefore;
    private static int jobsSent;
    private static int jobsAnswered;

    @Inject
    WorkerConfig config;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
        faultsBefore = simulator().faultsInjected();
    }

    @AfterAll
    static void disconnect() {
        System.out.printf("HOSTILE faults injected=%d jobs=%d lost=%d%n", simulator().faultsInjected() - faultsBefore,
                jobsSent, jobsSent - jobsAnswered);
        topics.close();
    }

    // ---- faults that clear: the job completes, submitted once ---------------------------------------------------

    @Test
    void aBurstOfServerErrorsOnSubmitIsRetriedUntilAccepted() {
        String id = jobId("submit-5xx");
        simulator().failSubmitsOf(id, Fault.status(500), Fault.status(503), Fault.status(503), Fault.status(500));

        JsonNode result = run(id, Requests.textToVideo(id));

        assertCompletedAfterOneAcceptedSubmission(id, result);
        assertThat(simulator().callsOf("submit", id)).isEqualTo(5);
    }

    @Test
    void serverErrorsResetsAndSlowAnswersWhilePollingAreRetriedOnBothProviders() {
        Fault[] faults = {Fault.status(500), Fault.connectionReset(), Fault.status(503),
            Fault.slow(SLOWER_THAN_THE_CLIENT), Fault.status(502), Fault.connectionReset()};

        Map<String, JsonNode> results = pollBothProvidersThrough("poll-faults", faults);

        results.forEach(ProviderFaultTest::assertCompletedAfterOneAcceptedSubmission);
        results.keySet().forEach(id -> assertThat(simulator().callsOf("poll", id)).isGreaterThan(faults.length));
    }

    @Test
    void malformedTruncatedAndUndocumentedAnswersWhilePollingAreNotTakenForAnOutcome() {
        Map<String, JsonNode> results = pollBothProvidersThrough("poll-garbage", Fault.malformedJson(),
                Fault.truncatedJson(), Fault.undocumentedStatus(), Fault.undocumentedStatus());

        results.forEach(ProviderFaultTest::assertCompletedAfterOneAcceptedSubmission);
        assertThat(results.values()).allSatisfy(r ->
                assertThat(r.path("video").path("url").asText()).startsWith("https://"));
    }

    @Test
    void rateLimitsWithAndWithoutRetryAfterOnBothOperationsAreWaitedOut() {
        String id = jobId("429");
        simulator().failSubmitsOf(id, Fault.rateLimited("1"), Fault.rateLimited(null));
        simulator().failPollsOf(id, Fault.rateLimited(null), Fault.rateLimited("1"), Fault.rateLimited(null));

        JsonNode result = run(id, Requests.segmindTransition(id));

        assertCompletedAfterOneAcceptedSubmission(id, result);
        assertThat(simulator().callsOf("submit", id)).isEqualTo(3);
        assertThat(waitsAfterRetryAfter(ProviderSimulator.SUBMIT, id)).as("submit waits checked").isEqualTo(1);
        assertThat(waitsAfterRetryAfter(ProviderSimulator.POLL, id)).as("poll waits checked").isEqualTo(1);
    }

    @Test
    void aProviderDownForAWhileComesBackAndEveryJobCompletesSubmittedOnce() {
        Map<String, ObjectNode> requests = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            String id = jobId("outage");
            requests.put(id, i % 2 == 0 ? Requests.anyModel(id, i) : Requests.segmindTransition(id));
        }
        simulator().outageFor(OUTAGE);

        Map<String, JsonNode> results = runAll(requests);

        results.forEach(ProviderFaultTest::assertCompletedAfterOneAcceptedSubmission);
        for (String id : requests.keySet()) {
            // Calls during the outage follow the backoff; one more once it is over.
            assertThat(simulator().callsOf("submit", id)).as(id).isBetween(2L, maxAttemptsWithin(OUTAGE) + 1);
        }
    }

    // ---- faults that last: the job ends, classified, within its retry budget ------------------------------------

    @Test
    void rateLimitedUntilTheDeadlineEndsAsRateLimitedHonouringRetryAfter() {
        String honoured = jobId("429-retry-after");
        String backedOff = jobId("429-no-retry-after");
        // Retry-After 2 s within a 3 s deadline leaves room for two calls; a worker ignoring it would make more.
        simulator().failSubmitsOf(honoured, repeat(Fault.rateLimited("2"), 50));
        simulator().failSubmitsOf(backedOff, repeat(Fault.rateLimited(null), 50));

        Map<String, JsonNode> results = runAll(Map.of(
                honoured, Requests.textToVideo(honoured).put("timeoutSeconds", SHORT_TIMEOUT_SECONDS),
                backedOff, Requests.textToVideo(backedOff).put("timeoutSeconds", SHORT_TIMEOUT_SECONDS)));

        assertThat(results.values()).allSatisfy(r -> {
            assertThat(r.path("error").path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(r.path("error").path("retryable").asBoolean()).isTrue();
        });
        assertThat(simulator().callsOf("submit", honoured)).isBetween(1L, 2L);
        waitsAfterRetryAfter(ProviderSimulator.SUBMIT, honoured);
        assertThat(simulator().callsOf("submit", backedOff))
                .isBetween(2L, maxAttemptsWithin(Duration.ofSeconds(SHORT_TIMEOUT_SECONDS)));
        assertThat(simulator().submissionsOf(Requests.prompt(honoured))).isZero();
    }

    @Test
    void aProviderFailingUntilTheDeadlineEndsAsProviderUnavailableWithinTheBackoffBudget() {
        String serverErrors = jobId("503-forever");
        String undocumented = jobId("undocumented-forever");
        simulator().failPollsOf(serverErrors, repeat(Fault.status(503), 100));
        simulator().failPollsOf(undocumented, repeat(Fault.undocumentedStatus(), 100));

        Map<String, JsonNode> results = runAll(Map.of(
                serverErrors, Requests.textToVideo(serverErrors).put("timeoutSeconds", SHORT_TIMEOUT_SECONDS),
                undocumented, Requests.segmindTransition(undocumented).put("timeoutSeconds", SHORT_TIMEOUT_SECONDS)));

        assertThat(results.values()).allSatisfy(r ->
                assertThat(r.path("error").path("code").asText()).isEqualTo("PROVIDER_UNAVAILABLE"));
        for (String id : results.keySet()) {
            assertThat(simulator().callsOf("poll", id)).as(id)
                    .isBetween(2L, maxAttemptsWithin(Duration.ofSeconds(SHORT_TIMEOUT_SECONDS)));
            assertThat(simulator().submissionsOf(Requests.prompt(id))).as(id).isEqualTo(1);
        }
    }

    @Test
    void megabytesInAProviderAnswerDoNotStopTheJobOrItsResult() {
        String message = jobId("huge-failure-message");
        String id = jobId("huge-generation-id");
        String url = jobId("huge-video-url");
        String segmindUrl = jobId("huge-segmind-url");
        String megabytes = "u".repeat(2_000_000);
        simulator().failPollsOf(message, Fault.failureOfChars(3_000_000));
        simulator().failSubmitsOf(id, Fault.body(200, "{\"id\":\"" + megabytes + "\",\"status\":\"queued\"}"));
        simulator().failPollsOf(url, Fault.body(200,
                "{\"id\":\"x\",\"status\":\"completed\",\"video\":{\"url\":\"https://cdn.example/" + megabytes
                        + "\"}}"));
        simulator().failPollsOf(segmindUrl, Fault.body(200, "{\"status\":\"COMPLETED\"}"),
                Fault.body(200, "{\"status\":\"COMPLETED\",\"output\":\"https://cdn.example/" + megabytes + "\"}"));

        Map<String, JsonNode> results = runAll(Map.of(message, Requests.textToVideo(message),
                id, Requests.textToVideo(id), url, Requests.imageToVideo(url),
                segmindUrl, Requests.segmindTransition(segmindUrl)));

        assertThat(results.get(message).path("error").path("code").asText()).isEqualTo("GENERATION_FAILED");
        assertThat(results.get(message).path("error").path("message").asText()).startsWith("GenerationError: eee");
        assertThat(results.get(id).path("error").path("code").asText()).isEqualTo("SUBMIT_UNCERTAIN");
        assertThat(results.get(url).path("error").path("message").asText()).contains("without a video URL");
        assertThat(results.get(segmindUrl).path("error").path("message").asText()).contains("without a video URL");
        assertThat(results.values()).allSatisfy(r -> assertThat(r.toString()).hasSizeLessThan(4096));
    }

    // ---- a submission that may have gone through is never sent again ------------------------------------------

    @Test
    void aSubmissionAcceptedButAnsweredAfterTheClientTimeoutIsNeverResubmitted() {
        String id = jobId("accepted-then-late");
        simulator().failSubmitsOf(id, Fault.acceptedThenLate(SLOWER_THAN_THE_CLIENT));

        JsonNode result = run(id, Requests.textToVideo(id));

        assertThat(result.path("error").path("code").asText()).isEqualTo("SUBMIT_UNCERTAIN");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).as("accepted by the provider").isEqualTo(1);
        assertThat(simulator().callsOf("submit", id)).isEqualTo(1);
    }

    @Test
    void submissionsCutOffOrAnsweredWithGarbageEndUncertainAfterOneCall() {
        Map<String, ObjectNode> requests = new LinkedHashMap<>();
        Map<String, Fault> faults = new LinkedHashMap<>();
        faults.put(jobId("submit-reset-aiml"), Fault.connectionReset());
        faults.put(jobId("submit-reset-segmind"), Fault.connectionReset());
        faults.put(jobId("submit-truncated-aiml"), Fault.truncatedJson());
        faults.put(jobId("submit-malformed-segmind"), Fault.malformedJson());
        faults.put(jobId("submit-undocumented-aiml"), Fault.undocumentedStatus());
        faults.put(jobId("submit-504-segmind"), Fault.status(504));
        faults.put(jobId("submit-502-aiml"), Fault.status(502));
        faults.put(jobId("submit-502-segmind"), Fault.status(502));
        faults.forEach((id, fault) -> {
            simulator().failSubmitsOf(id, fault);
            requests.put(id, id.contains("-aiml-") ? Requests.textToVideo(id) : Requests.segmindTransition(id));
        });

        Map<String, JsonNode> results = runAll(requests);

        for (String id : faults.keySet()) {
            assertThat(results.get(id).path("error").path("code").asText()).as(id).isEqualTo("SUBMIT_UNCERTAIN");
            assertThat(simulator().callsOf("submit", id)).as(id).isEqualTo(1);
        }
    }

    // ---- URLs a provider names are not followed to another host -----------------------------------------------

    @Test
    void segmindFollowUpUrlsOnAnotherHostAreNeverCalled() {
        String decoy = simulator().segmindFollowUpsElsewhere();
        String id = jobId("foreign-urls");

        JsonNode result = run(id, Requests.segmindTransition(id));

        assertCompletedAfterOneAcceptedSubmission(id, result);
        assertThat(result.path("video").path("url").asText()).doesNotContain(decoy);
        assertThat(simulator().decoyHits()).isEmpty();
        assertThat(simulator().callsOf("poll", id)).isPositive();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** One job on each provider, the same faults answering each job's polls. */
    private static Map<String, JsonNode> pollBothProvidersThrough(String what, Fault... faults) {
        String aiml = jobId(what + "-aiml");
        String segmind = jobId(what + "-segmind");
        simulator().failPollsOf(aiml, faults);
        simulator().failPollsOf(segmind, faults);
        return runAll(Map.of(aiml, Requests.transition(aiml), segmind, Requests.segmindTransition(segmind)));
    }

    /**
     * Checks, from the simulator's own arrival times, that the job waited at least as long as each Retry-After
     * (delta-seconds) before its next call of the operation; returns how many waits it checked.
     */
    private static int waitsAfterRetryAfter(String operation, String id) {
        List<Call> calls = simulator().callHistory(operation, id);
        int checked = 0;
        for (int i = 0; i + 1 < calls.size(); i++) {
            Fault fault = calls.get(i).fault();
            if (fault != null && fault.retryAfter() != null) {
                Duration asked = Duration.ofSeconds(Long.parseLong(fault.retryAfter()));
                assertThat(Duration.between(calls.get(i).at(), calls.get(i + 1).at()))
                        .as("%s %s call %d after Retry-After %s", id, operation, i + 2, fault.retryAfter())
                        .isGreaterThanOrEqualTo(asked);
                checked++;
            }
        }
        return checked;
    }

    private static void assertCompletedAfterOneAcceptedSubmission(String id, JsonNode result) {
        assertThat(result.path("status").asText()).as(id).isEqualTo("COMPLETED");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).as(id).isEqualTo(1);
    }

    /**
     * The most calls a job can make within the window while every call fails without Retry-After: the first, one
     * per backoff delay at its shortest (half the capped exponential delay, the jitter adding the rest), and the
     * last one at the deadline.
     */
    private long maxAttemptsWithin(Duration window) {
        WorkerConfig.Polling polling = config.polling();
        long elapsed = 0;
        long attempts = 1;
        for (int errors = 1; ; errors++) {
            long capped = Math.min(polling.backoffMax().toMillis(),
                    polling.backoffInitial().toMillis() << Math.min(errors - 1, 20));
            elapsed += Math.max(1, capped / 2);
            if (elapsed > window.toMillis()) {
                return attempts + 1;
            }
            attempts++;
        }
    }

    private JsonNode run(String id, ObjectNode request) {
        return runAll(Map.of(id, request)).get(id);
    }

    /** Sends the requests and returns each job's one result; a second result for any of them fails the test. */
    private static Map<String, JsonNode> runAll(Map<String, ObjectNode> requests) {
        Map<String, String> values = new LinkedHashMap<>();
        requests.forEach((id, request) -> values.put(id, request.toString()));
        topics.sendAll(values);
        jobsSent += values.size();
        List<ConsumerRecord<String, String>> records = topics.resultRecords(values.keySet(), values.size(), WAIT);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(values.keySet());
        jobsAnswered += values.size();
        Map<String, JsonNode> results = new LinkedHashMap<>();
        records.forEach(r -> results.put(r.key(), WorkerTopics.parse(r.value())));
        return results;
    }

    private static Fault[] repeat(Fault fault, int times) {
        List<Fault> faults = new ArrayList<>(Collections.nCopies(times, fault));
        return faults.toArray(Fault[]::new);
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    private static String jobId(String what) {
        return what + "-" + UUID.randomUUID();
    }
}
