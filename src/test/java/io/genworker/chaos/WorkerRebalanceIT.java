package io.genworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 4: stopping one of two workers moves its jobs to the other, which resumes polling them, with no new
 * submission. Two packaged workers share one broker and the provider simulator; each calls the provider with its
 * own API key (one account, a key per worker), so the simulator's record of calls tells which worker submitted a job
 * and which one made the poll that saw it finished. Generations take long enough that every job is submitted and
 * still running when the leaving worker goes.
 */
class WorkerRebalanceIT {

    private static final int JOBS = 40;
    private static final Duration GENERATION = Duration.ofSeconds(15);
    private static final String KEEPER_KEY = "sk-FAKE-keeper-0123456789";
    private static final String LEAVER_KEY = "sk-FAKE-leaver-0123456789";
    private static final Path LOGS = Path.of("target", "rebalance");

    /** How the leaving worker goes: SIGTERM hands its partitions over; SIGKILL leaves them to the session timeout. */
    enum Stop {
        SIGTERM, SIGKILL
    }

    private static KafkaBroker broker;
    private static ProviderSimulator simulator;
    private static WorkerTopics topics;

    @BeforeAll
    static void startBrokerAndProvider() {
        broker = KafkaBroker.start();
        simulator = ProviderSimulator.start().generationTime(GENERATION).acceptKey(KEEPER_KEY)
                .alsoAcceptKey(LEAVER_KEY);
        topics = new WorkerTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBrokerAndProvider() {
        topics.close();
        simulator.close();
        broker.close();
    }

    @ParameterizedTest(name = "leaver stopped with {0}")
    @EnumSource(Stop.class)
    void theLeaversJobsArePolledToTheirEndByTheKeeperWithoutBeingSubmittedAgain(Stop stop) {
        long start = System.nanoTime();
        WorkerProcess keeper = worker("keeper-" + stop, KEEPER_KEY).start();
        WorkerProcess leaver = worker("leaver-" + stop, LEAVER_KEY).start();
        try {
            keeper.awaitReady();
            leaver.awaitReady();
            TrackerGroup.awaitTwoOwners(topics);

            List<String> ids = sendJobs(stop);
            Awaitility.await("every job SUBMITTED in the job log").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> topics.jobStates(ids).values().stream().filter("SUBMITTED"::equals).count()
                            == ids.size());
            TrackerGroup.awaitTwoOwners(topics);
            List<String> leaversJobs = ids.stream().filter(id -> LEAVER_KEY.equals(submitterKey(id))).toList();
            assertThat(leaversJobs).as("jobs the leaver submitted").isNotEmpty().hasSizeLessThan(ids.size());

            leaver.stop(stop == Stop.SIGTERM);

            Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
            RunOutcome outcome = RunOutcome.of(ids, results, simulator);
            long moved = leaversJobs.stream().filter(id -> KEEPER_KEY.equals(lastPollKey(id))).count();
            System.out.printf("REBALANCE jobs=%d moved=%d double_submissions=%d lost=%d duplicate_results=%d "
                    + "completed=%d stop=%s wall_time_s=%.1f%n", outcome.jobs(), moved, outcome.doubleSubmissions(),
                    outcome.lost(), outcome.duplicateResults(), outcome.completed(), stop,
                    (System.nanoTime() - start) / 1e9);

            assertThat(outcome.lost()).as("jobs without a result").isZero();
            assertThat(outcome.duplicateResults()).as("second results").isZero();
            assertThat(outcome.completed()).as("jobs completed").isEqualTo(ids.size());
            assertThat(ids).as("every job submitted exactly once")
                    .allSatisfy(id -> assertThat(simulator.submissionsOf(Requests.prompt(id))).isEqualTo(1));
            assertThat(leaversJobs).as("the leaver's jobs, polled to their end by the keeper")
                    .allSatisfy(id -> assertThat(lastPollKey(id)).isEqualTo(KEEPER_KEY));
        } finally {
            leaver.kill();
            keeper.terminate();
        }
    }

    private static WorkerProcess worker(String name, String apiKey) {
        return new WorkerProcess(name, broker.bootstrapServers(), simulator.baseUrl(), LOGS,
                WorkerProcess.shortPolls(Map.of("AIMLAPI_API_KEY", apiKey,
                        // The shortest session the broker allows: the SIGKILL case hands over sooner.
                        "WORKER_TRACKER_SESSION_TIMEOUT", "6s")));
    }

    private static List<String> sendJobs(Stop stop) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < JOBS; i++) {
            String id = "rebalance-" + stop + "-" + i + "-" + UUID.randomUUID();
            requests.put(id, Requests.anyModel(id, i).toString());
        }
        topics.sendAll(requests);
        return new ArrayList<>(requests.keySet());
    }

    private static String submitterKey(String id) {
        return simulator.lastCallOf("submit", Requests.prompt(id)).map(ProviderSimulator.Call::apiKey).orElse(null);
    }

    private static String lastPollKey(String id) {
        return simulator.lastCallOf("poll", Requests.prompt(id)).map(ProviderSimulator.Call::apiKey).orElse(null);
    }
}
