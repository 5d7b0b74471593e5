package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.intake.DeadLetterPublisher;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Cancel commands on the control topic, through a real broker and the provider simulator: each job ends in exactly
 * one result, a job cancelled before its submission is never submitted, and a submitted one is no longer polled.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class CancelFlowTest {

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

    @AfterEach
    void quickGenerations() {
        simulator().generationTime(Duration.ofSeconds(1));
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    @Test
    void aSubmittedJobCancelledIsNoLongerPolledAndEndsCancelledOnceSayingItMayBeBilled() {
        simulator().generationTime(Duration.ofMinutes(5));
        String id = "cancel-running-" + UUID.randomUUID();
        topics.send(id, Requests.textToVideo(id).toString());
        await().atMost(WAIT).until(() -> simulator().callsOf(ProviderSimulator.POLL, id) >= 2);

        topics.cancel(id, "the user closed the tab");
        ConsumerRecord<String, String> record = topics.resultRecords(List.of(id), 1, WAIT).get(0);
        long pollsAtResult = simulator().callsOf(ProviderSimulator.POLL, id);

        JsonNode result = WorkerTopics.parse(record.value());
        assertThat(result.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(result.path("providerJobId").asText()).isNotBlank();
        assertThat(result.path("cancellation").path("outcome").asText()).isEqualTo("MAY_BE_BILLED");
        assertThat(result.path("cancellation").path("reason").asText()).isEqualTo("the user closed the tab");
        assertThat(result.path("cancellation").path("requestedBy").asText()).isEqualTo("test");
        assertThat(result.path("metadata").path("tenant").asText()).isEqualTo("test");
        assertThat(header(record, "ce_type")).isEqualTo("generation.cancelled");
        assertThat(header(record, "ce_id")).isEqualTo(id + "/cancelled");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        // Polls run every 200 ms in tests: two seconds without one is ten missed.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> simulator().callsOf(ProviderSimulator.POLL, id) <= pollsAtResult);
        assertThat(topics.committedResults(List.of(id), Duration.ofSeconds(1)).get(id)).hasSize(1);
    }

    @Test
    void aJobCancelledWhileItsSubmissionWaitsIsNeverSubmitted() {
        String id = "cancel-waiting-" + UUID.randomUUID();
        // Refused with a 429 asking for a minute: the job waits in REQUESTED, nothing taken by the provider.
        simulator().failSubmitsOf(id, Fault.rateLimited("60"));
        topics.send(id, Requests.textToVideo(id).toString());
        await().atMost(WAIT).until(() -> simulator().callsOf(ProviderSimulator.SUBMIT, id) >= 1);

        topics.cancel(id, "changed my mind");
        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(result.path("cancellation").path("outcome").asText()).isEqualTo("NOT_SUBMITTED");
        assertThat(result.has("providerJobId")).isFalse();
        assertThat(simulator().submissionsOf(Requests.prompt(id))).as("no submission the provider accepted")
                .isZero();
    }

    @Test
    void aCancelThatOvertakesItsRequestPublishesNothingAndTheRequestThenEndsCancelledUnsubmitted() {
        String id = "cancel-first-" + UUID.randomUUID();
        topics.cancel(id, "before it was sent");
        String marker = "cancel-marker-" + UUID.randomUUID();
        topics.send(marker, Requests.textToVideo(marker).toString());
        topics.awaitResult(marker, WAIT);
        assertThat(topics.committedResults(List.of(id), Duration.ofSeconds(1))).as("no job, no result").isEmpty();

        topics.send(id, Requests.textToVideo(id).toString());
        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(result.path("cancellation").path("outcome").asText()).isEqualTo("NOT_SUBMITTED");
        assertThat(result.path("metadata").path("tenant").asText()).isEqualTo("test");
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isZero();
        assertThat(topics.committedResults(List.of(id), Duration.ofSeconds(1)).get(id)).hasSize(1);
    }

    @Test
    void cancellingAFinishedJobChangesNothingAndItsResultStaysItsLastRecord() {
        String id = "cancel-late-" + UUID.randomUUID();
        topics.send(id, Requests.textToVideo(id).toString());
        assertThat(topics.awaitResult(id, WAIT).path("status").asText()).isEqualTo("COMPLETED");

        topics.cancel(id, "too late");

        // The command has a key of its own: compaction keeps the job's result whatever comes after it.
        assertThat(topics.records(WorkerTopics.JOBS, List.of(JobLog.COMMAND_KEY_PREFIX + id), 1, WAIT))
                .singleElement().satisfies(r -> assertThat(header(r, JobLog.STATE_HEADER))
                        .isEqualTo("CANCEL_REQUESTED"));
        String marker = "cancel-late-marker-" + UUID.randomUUID();
        topics.send(marker, Requests.textToVideo(marker).toString());
        topics.awaitResult(marker, WAIT);
        assertThat(topics.jobStates(List.of(id))).containsEntry(id, "COMPLETED");
        assertThat(topics.committedResults(List.of(id), Duration.ofSeconds(1)).get(id)).singleElement()
                .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("COMPLETED"));
    }

    @Test
    void cancelsRacingCompletionLeaveEachJobExactlyOneResultAndATerminalLastRecord() throws Exception {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            String id = "cancel-race-" + i + "-" + UUID.randomUUID();
            requests.put(id, Requests.textToVideo(id).toString());
        }
        topics.sendAll(requests);
        // Generations take a second: cancels spread over 0-2 s land before, during and after their ends.
        for (String id : requests.keySet()) {
            Thread.sleep(80);
            topics.cancel(id, "race");
        }

        Map<String, List<JsonNode>> results = topics.committedResults(requests.keySet(), WAIT);

        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(requests.keySet());
        assertThat(results.values()).allSatisfy(each -> assertThat(each).hasSize(1));
        Map<String, Long> statuses = results.values().stream().collect(Collectors.groupingBy(
                each -> each.get(0).path("status").asText(), Collectors.counting()));
        assertThat(statuses.keySet()).isSubsetOf("COMPLETED", "CANCELLED");
        await().atMost(WAIT).untilAsserted(() -> assertThat(topics.jobStates(requests.keySet()).values())
                .as("compaction keeps each job's result, never the command").allSatisfy(
                        state -> assertThat(state).isIn("COMPLETED", "CANCELLED")));
        for (String id : requests.keySet()) {
            JsonNode result = results.get(id).get(0);
            if (result.path("status").asText().equals("CANCELLED")) {
                assertThat(simulator().submissionsOf(Requests.prompt(id)) == 0
                        || !result.path("cancellation").path("outcome").asText().equals("NOT_SUBMITTED"))
                        .as("a job submitted is never said not submitted: %s", id).isTrue();
            }
        }
        System.out.printf("CANCEL_RACE jobs=%d outcomes=%s%n", requests.size(), statuses);
    }

    @Test
    void aControlCommandThatBreaksARuleIsADeadLetterNamingItAndTheConsumerGoesOn() {
        String key = "bad-command-" + UUID.randomUUID();
        topics.sendControl(key, "{\"type\":\"pause\",\"jobId\":\"" + key + "\",\"priority\":1}");
        String id = "after-bad-command-" + UUID.randomUUID();
        topics.send(id, Requests.textToVideo(id).toString());

        ConsumerRecord<String, String> dead = topics.records(WorkerTopics.DLQ, List.of(key), 1, WAIT).get(0);
        assertThat(header(dead, DeadLetterPublisher.REASON)).contains("type one-of:[cancel]")
                .contains("priority unknown-field");
        assertThat(header(dead, DeadLetterPublisher.ORIGINAL_TOPIC)).isEqualTo(WorkerTopics.CONTROL);
        assertThat(topics.awaitResult(id, WAIT).path("status").asText()).isEqualTo("COMPLETED");
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
