package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator.Call;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.TrackerGroupMember;
import io.genworker.support.WorkerTopics;
import io.genworker.tracking.JobTracker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * worker.tracker.max-in-flight: a burst of more jobs than the cap waits in Kafka, the worker never runs more than
 * the cap at once, and every job still ends, once.
 */
@QuarkusTest
@TestProfile(BackpressureProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class BackpressureTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int JOBS = 4 * BackpressureProfile.MAX_IN_FLIGHT;
    /** Long enough that an uncapped worker would have the whole burst running at the provider at once. */
    private static final Duration GENERATION = Duration.ofSeconds(2);
    private static WorkerTopics topics;

    @Inject
    JobLog jobLog;

    @Inject
    JobTracker tracker;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
        simulator().generationTime(GENERATION);
    }

    @AfterAll
    static void disconnect() {
        simulator().generationTime(Duration.ofSeconds(1));
        topics.close();
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    @Test
    void aBurstBeyondTheCapRunsAtMostTheCapAtOnceAndEveryJobEndsOnce() {
        Map<String, String> requests = new LinkedHashMap<>();
        Map<String, String> jobByPrompt = new HashMap<>();
        for (int i = 0; i < JOBS; i++) {
            String id = "backpressure-" + i + "-" + UUID.randomUUID();
            requests.put(id, Requests.textToVideo(id).toString());
            jobByPrompt.put(Requests.prompt(id), id);
        }
        topics.sendAll(requests);

        Map<String, List<JsonNode>> results = topics.committedResults(requests.keySet(), WAIT);

        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(requests.keySet());
        results.forEach((id, answers) -> {
            assertThat(answers).as(id).hasSize(1);
            assertThat(answers.get(0).path("status").asText()).as(id).isEqualTo("COMPLETED");
            assertThat(simulator().submissionsOf(Requests.prompt(id))).as(id).isEqualTo(1);
        });
        assertThat(mostRunningAtOnce(simulator().calls(), jobByPrompt)).as("jobs running at the provider at once")
                .isEqualTo(BackpressureProfile.MAX_IN_FLIGHT);
    }

    /**
     * Issue 11 item 2: a partition that comes back to the worker holding more unfinished jobs than the cap (written
     * while another member of the group held it, as after a provider pause). The replay adopts only what fits; the
     * rest wait parked (id and offset) and are read back as places free: at most the cap runs at once, and every job
     * ends once.
     */
    @Test
    void aReplayOfMoreUnfinishedJobsThanTheCapParksTheRestAndRunsEveryOne() {
        Map<String, String> jobByPrompt = new HashMap<>();
        try (TrackerGroupMember other = new TrackerGroupMember(KafkaBrokerResource.bootstrapServers(),
                WorkerTopics.PARTITIONS)) {
            Instant now = Instant.now();
            for (int i = 0; i < JOBS; i++) {
                String id = other.jobIdOnTaken("parked-" + i);
                ObjectNode input = (ObjectNode) Requests.textToVideo(id).get("input");
                jobLog.append(JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video", input, null, now,
                        now.plus(Duration.ofMinutes(10)))).await().atMost(WAIT);
                jobByPrompt.put(Requests.prompt(id), id);
            }
        }
        Set<String> ids = Set.copyOf(jobByPrompt.values());

        Map<String, List<JsonNode>> results = topics.committedResults(ids, WAIT);

        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        results.forEach((id, answers) -> {
            assertThat(answers).as(id).hasSize(1);
            assertThat(answers.get(0).path("status").asText()).as(id).isEqualTo("COMPLETED");
            assertThat(simulator().submissionsOf(Requests.prompt(id))).as(id).isEqualTo(1);
        });
        assertThat(mostRunningAtOnce(simulator().calls(), jobByPrompt)).as("replayed jobs running at once")
                .isEqualTo(BackpressureProfile.MAX_IN_FLIGHT);
    }

    /**
     * Issue 11 item 5: jobs of a provider whose account is refused wait parked (id and offset) rather than in flight,
     * so that more of them than the cap do not hold back the other provider's jobs; once the key is accepted again,
     * the probe lifts the pause and every waiting job is read back, submitted once and answered once.
     */
    @Test
    void jobsWaitingForAPausedProviderDoNotHoldBackTheOtherProvidersJobs() {
        Map<String, String> waiting = new LinkedHashMap<>();
        Map<String, String> others = new LinkedHashMap<>();
        for (int i = 0; i < JOBS; i++) {
            String id = "paused-" + i + "-" + UUID.randomUUID();
            waiting.put(id, Requests.segmindTransition(id).toString());
        }
        for (int i = 0; i < 2 * BackpressureProfile.MAX_IN_FLIGHT; i++) {
            String id = "beside-paused-" + i + "-" + UUID.randomUUID();
            others.put(id, Requests.textToVideo(id).toString());
        }
        simulator().acceptSegmindKey("rotated-segmind-key");
        Map<String, List<JsonNode>> othersResults;
        try {
            topics.sendAll(waiting);
            await().atMost(WAIT).until(() -> tracker.parked() >= JOBS - BackpressureProfile.MAX_IN_FLIGHT);
            topics.sendAll(others);

            othersResults = topics.committedResults(others.keySet(), WAIT);

            assertThat(topics.committedResults(waiting.keySet(), Duration.ofMillis(200))).as(
                    "no paused job answered while its provider refuses the key").isEmpty();
        } finally {
            simulator().acceptSegmindKey(ProviderSimulator.SEGMIND_KEY);
        }
        Map<String, List<JsonNode>> waitingResults = topics.committedResults(waiting.keySet(), WAIT);

        assertThat(othersResults.keySet()).containsExactlyInAnyOrderElementsOf(others.keySet());
        assertThat(waitingResults.keySet()).containsExactlyInAnyOrderElementsOf(waiting.keySet());
        Map<String, List<JsonNode>> all = new HashMap<>(othersResults);
        all.putAll(waitingResults);
        all.forEach((id, answers) -> {
            assertThat(answers).as(id).hasSize(1);
            assertThat(answers.get(0).path("status").asText()).as(id).isEqualTo("COMPLETED");
            assertThat(simulator().submissionsOf(Requests.prompt(id))).as(id).isEqualTo(1);
        });
        await().atMost(WAIT).until(() -> tracker.parked() == 0 && tracker.inFlight() == 0);
    }

    /**
     * From the simulator's call log (in arrival order): a job runs from its submission to its last poll, and the
     * tracker holds it all that time, so the most jobs running at once is a lower bound of the jobs in flight.
     */
    private static int mostRunningAtOnce(List<Call> log, Map<String, String> jobByPrompt) {
        List<Call> calls = List.copyOf(log);
        Map<String, Integer> lastPoll = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            String job = jobByPrompt.get(calls.get(i).prompt());
            if (job != null && calls.get(i).operation().equals("poll")) {
                lastPoll.put(job, i);
            }
        }
        Set<String> started = new HashSet<>();
        int running = 0;
        int most = 0;
        for (int i = 0; i < calls.size(); i++) {
            String job = jobByPrompt.get(calls.get(i).prompt());
            if (job == null) {
                continue;
            }
            if (calls.get(i).operation().equals("submit") && started.add(job)) {
                most = Math.max(most, ++running);
            }
            if (Integer.valueOf(i).equals(lastPoll.get(job))) {
                running--;
            }
        }
        return most;
    }
}
