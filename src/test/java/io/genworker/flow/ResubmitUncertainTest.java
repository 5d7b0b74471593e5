package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLog;
import io.genworker.provider.aimlapi.AimlApiProvider;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * worker.tracker.resubmit-uncertain=true: a submission that may or may not have reached the provider is sent again
 * (a second paid generation is the accepted risk) and the job completes, instead of failing SUBMIT_UNCERTAIN.
 */
@QuarkusTest
@TestProfile(ResubmitUncertainProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ResubmitUncertainTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration SLOWER_THAN_THE_CLIENT =
            Duration.ofMillis(ResubmitUncertainProfile.CLIENT_TIMEOUT_MILLIS + 1000);
    private final WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    private final ProviderSimulator simulator = ProviderSimulatorResource.simulator();

    @Inject
    JobLog jobLog;

    @AfterEach
    void disconnect() {
        topics.close();
    }

    @Test
    void aSubmissionAcceptedButAnsweredAfterTheClientTimeoutIsSentAgainAndCompletes() {
        String id = "resubmit-late-" + UUID.randomUUID();
        simulator.failSubmitsOf(id, Fault.acceptedThenLate(SLOWER_THAN_THE_CLIENT));
        topics.send(id, Requests.textToVideo(id).toString());

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator.callsOf("submit", id)).isEqualTo(2);
        assertThat(simulator.submissionsOf(Requests.prompt(id))).as("accepted by the provider, twice").isEqualTo(2);
        assertThat(topics.records(WorkerTopics.JOBS, List.of(id), 6, WAIT))
                .extracting(r -> WorkerTopics.parse(r.value()).path("state").asText())
                .containsExactly("REQUESTED", "SUBMITTING", "REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED");
    }

    /** What a worker that crashed mid-submission leaves in the log: the job's newest record says SUBMITTING. */
    @Test
    void aJobFoundSubmittingInTheJobLogIsSubmittedAgainAndCompletes() {
        String id = "resubmit-found-submitting-" + UUID.randomUUID();
        ObjectNode request = Requests.textToVideo(id);
        Instant now = Instant.now();
        JobRecord submitting = JobRecord.requested(id, AimlApiProvider.ID, request.path("model").asText(),
                (ObjectNode) request.get("input"), (ObjectNode) request.get("metadata"), now,
                now.plus(Duration.ofMinutes(10))).submitting(now);
        jobLog.append(submitting).await().atMost(WAIT);

        JsonNode result = topics.awaitResult(id, WAIT);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(simulator.submissionsOf(Requests.prompt(id))).isEqualTo(1);
    }
}
