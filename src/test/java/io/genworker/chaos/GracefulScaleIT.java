package io.genworker.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 12 item 1: a graceful change of the fleet (a worker joining, a worker leaving on SIGTERM, a rolling
 * restart) ends no job SUBMIT_UNCERTAIN, and loses, bills or answers none twice. The provider accepts every
 * submission at once (the generation runs, and is billed, from then on) but answers it only seconds later, so
 * every worker always has submissions in flight, and every membership change happens under a steady load. A
 * worker that lets a partition go while a submission of it is out must wait for the answer and log the job
 * SUBMITTED first: otherwise the next owner finds it SUBMITTING and can only fail it as uncertain.
 * <p>
 * Each worker process calls the provider with its own API key, so the simulator's call log tells who submitted a
 * job and who polled it last; each worker keeps its instance identity ({@code WORKER_TRACKER_INSTANCE_ID}) across
 * a restart. Each phase has a tracker group of its own, so that nothing one phase leaves behind moves the next
 * one's partitions. The group is described every 200 ms: a change of its settled assignment counts as a rebalance,
 * and the partitions it gave another owner than their last as moved. Logs in {@code target/graceful-scale/}.
 */
class GracefulScaleIT {

    private static final Duration GENERATION = Duration.ofSeconds(8);
    private static final Duration SUBMIT_ANSWER = Duration.ofSeconds(3);
    /** Five jobs a second: with the slow answers, about fifteen submissions in flight at any moment. */
    private static final Duration PACE = Duration.ofMillis(200);
    private static final int MIN_JOBS = 150;
    /** Submissions a worker must have out (sent, not answered) when the test changes the fleet around it. */
    private static final int MIN_IN_FLIGHT = 3;
    /** Jobs still sent after the last change, so that it too happens under load. */
    private static final int TAIL_JOBS = 15;
    /**
     * Room for three worker JVMs on two busy cores: a worker slowed down keeps its partitions (and its ownership
     * lease, half of this), so every hand-over the test sees is one it caused.
     */
    private static final String SESSION_TIMEOUT = "20s";
    private static final Path LOGS = Path.of("target", "graceful-scale");

    private static KafkaBroker broker;
    private static ProviderSimulator simulator;
    private static WorkerTopics topics;

    @BeforeAll
    static void startBrokerAndProvider() {
        broker = KafkaBroker.start();
        simulator = ProviderSimulator.start().generationTime(GENERATION).submitAnswerDelay(SUBMIT_ANSWER);
        topics = new WorkerTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBrokerAndProvider() {
        topics.close();
        simulator.close();
        broker.close();
    }

    @Test
    void workersJoiningOneByOneThenLeavingOnSigtermEndNoJobUncertain() {
        try (Phase phase = new Phase("scale-out-in")) {
            WorkerProcess a = phase.join("A", 1);
            phase.startLoad();
            WorkerProcess b = phase.scaleOut("B", 2);
            phase.scaleOut("C", 3);
            phase.scaleIn(a, 2);
            phase.scaleIn(b, 1);
            phase.check();
        }
    }

    @Test
    void aRollingRestartOfThreeWorkersEndsNoJobUncertain() {
        try (Phase phase = new Phase("rolling-restart")) {
            List<WorkerProcess> first = List.of(phase.worker("0", "0"), phase.worker("1", "1"),
                    phase.worker("2", "2"));
            first.forEach(WorkerProcess::start);
            first.forEach(WorkerProcess::awaitReady);
            phase.group.awaitSettled(first.size());
            phase.startLoad();
            for (int i = 0; i < first.size(); i++) {
                phase.restart(first.get(i), i + "-again", first.size());
            }
            phase.check();
        }
    }

    /** One scenario: its workers, its tracker group and watcher, its load, and what it ended with. */
    private static final class Phase implements AutoCloseable {

        private final String name;
        private final long start = System.nanoTime();
        private final TrackerGroup group;
        private final List<WorkerProcess> workers = new ArrayList<>();
        /** Worker process by the API key it calls the provider with. */
        private final Map<String, String> keys = new HashMap<>();
        private final List<Integer> inFlightAtChanges = new ArrayList<>();
        private SteadyLoad load;
        private long loadStartedAt;

        Phase(String name) {
            this.name = name;
            this.group = new TrackerGroup(broker.bootstrapServers(), groupId());
        }

        private String groupId() {
            return "graceful-" + name;
        }

        /**
         * A worker process: {@code process} names it (and its API key), {@code identity} is its instance identity,
         * which a restarted process keeps.
         */
        WorkerProcess worker(String process, String identity) {
            String key = "sk-FAKE-" + name + "-" + process + "-0123456789";
            simulator.alsoAcceptKey(key);
            WorkerProcess worker = new WorkerProcess(name + "-" + process, broker.bootstrapServers(),
                    simulator.baseUrl(), LOGS, WorkerProcess.shortPolls(Map.of(
                            "AIMLAPI_API_KEY", key,
                            "WORKER_TRACKER_GROUP_ID", groupId(),
                            "WORKER_TRACKER_INSTANCE_ID", name + "-" + identity,
                            "WORKER_TRACKER_SESSION_TIMEOUT", SESSION_TIMEOUT,
                            // One or two polls a job: generations end 8 s after the request arrives.
                            "WORKER_POLLING_FIRST_POLL", "5s",
                            "WORKER_POLLING_INTERVAL", "2s")));
            keys.put(key, worker.name());
            workers.add(worker);
            return worker;
        }

        /** Starts a worker and waits until it is ready and owns job-log partitions, one of this many workers. */
        WorkerProcess join(String process, int members) {
            Set<String> known = group.memberIds();
            WorkerProcess worker = worker(process, process).start();
            worker.awaitReady();
            group.awaitSettledWithNewcomer(members, known);
            return worker;
        }

        void startLoad() {
            loadStartedAt = System.currentTimeMillis();
            load = new SteadyLoad(broker.bootstrapServers(), "graceful-" + name, PACE);
        }

        /** A worker joins the group while submissions are in flight. */
        WorkerProcess scaleOut(String process, int members) {
            inFlightAtChanges.add(awaitInFlight(null));
            WorkerProcess worker = join(process, members);
            System.out.printf("graceful-scale: %s joined (%d workers)%n", worker.name(), members);
            return worker;
        }

        /** A worker with submissions in flight leaves on SIGTERM. */
        void scaleIn(WorkerProcess worker, int members) {
            inFlightAtChanges.add(awaitInFlight(worker));
            worker.terminate();
            group.awaitSettled(members);
            System.out.printf("graceful-scale: %s left on SIGTERM (%d workers)%n", worker.name(), members);
        }

        /**
         * A worker with submissions in flight stops on SIGTERM and, once it has exited, a new process with the same
         * instance identity (and an API key of its own) takes its place; waits until it owns partitions.
         */
        void restart(WorkerProcess worker, String process, int members) {
            inFlightAtChanges.add(awaitInFlight(worker));
            Set<String> known = group.memberIds();
            worker.terminate();
            WorkerProcess next = worker(process, worker.name().substring((name + "-").length())).start();
            next.awaitReady();
            group.awaitSettledWithNewcomer(members, known);
            System.out.printf("graceful-scale: %s restarted as %s%n", worker.name(), next.name());
        }

        /**
         * Until a worker (any, when null) has a few submissions out that the provider has not answered yet; returns
         * how many all workers have out at that moment.
         */
        private int awaitInFlight(WorkerProcess worker) {
            String key = worker == null ? null : keyOf(worker);
            Awaitility.await((worker == null ? "the workers" : worker.name()) + " with submissions in flight")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inFlight(key) >= MIN_IN_FLIGHT);
            return inFlight(null);
        }

        private String keyOf(WorkerProcess worker) {
            return keys.entrySet().stream().filter(e -> e.getValue().equals(worker.name())).findFirst()
                    .orElseThrow().getKey();
        }

        /** Submissions of this key (any, when null) that arrived within the answer delay: not answered yet. */
        private static int inFlight(String key) {
            Instant answeredBefore = Instant.now().minus(SUBMIT_ANSWER);
            return (int) simulator.calls().stream()
                    .filter(c -> c.operation().equals(ProviderSimulator.SUBMIT) && !c.faulted()
                            && c.at().isAfter(answeredBefore) && (key == null || key.equals(c.apiKey())))
                    .count();
        }

        /** Keeps the load on for a while after the last change, waits for every result and checks the counts. */
        void check() {
            int target = Math.max(MIN_JOBS, load.sent() + TAIL_JOBS);
            Awaitility.await("the load running on after the last change").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(100)).until(() -> load.sent() >= target);
            List<String> ids = load.stop();
            Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
            RunOutcome outcome = RunOutcome.of(ids, results, simulator);
            List<TrackerGroup.Rebalance> rebalances = group.rebalancesSince(loadStartedAt);
            int moved = rebalances.stream().mapToInt(TrackerGroup.Rebalance::moved).sum();
            long handedOver = ids.stream().filter(this::handedOver).count();
            System.out.printf("GRACEFUL_SCALE phase=%s jobs=%d lost=%d double_submissions=%d duplicate_results=%d "
                    + "uncertain=%d rebalances=%d moved_partitions=%d wall_time_s=%.1f moved_per_rebalance=%s "
                    + "handed_over=%d in_flight_at_changes=%s uncertain_by_submitter=%s failures_by_code=%s "
                    + "completed=%d%n", name, outcome.jobs(), outcome.lost(), outcome.doubleSubmissions(),
                    outcome.duplicateResults(), outcome.submitUncertain(), rebalances.size(), moved,
                    (System.nanoTime() - start) / 1e9,
                    rebalances.stream().map(TrackerGroup.Rebalance::moved).toList(), handedOver, inFlightAtChanges,
                    bySubmitter(outcome.uncertain()), outcome.failureCounts(), outcome.completed());
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(outcome.lost()).as("jobs without a result").isZero();
                softly.assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
                softly.assertThat(outcome.duplicateResults()).as("second results").isZero();
                softly.assertThat(outcome.submitUncertain()).as("jobs failed SUBMIT_UNCERTAIN").isZero();
                softly.assertThat(outcome.failureCounts()).as("failed jobs by error code").isEmpty();
                softly.assertThat(outcome.completed()).as("jobs completed").isEqualTo(ids.size());
                softly.assertThat(handedOver).as("running jobs one worker submitted and another polled to the end")
                        .isPositive();
            });
        }

        /** Submitted by one worker process and last polled by another. */
        private boolean handedOver(String id) {
            String submitter = lastKey(ProviderSimulator.SUBMIT, id);
            String poller = lastKey(ProviderSimulator.POLL, id);
            return submitter != null && poller != null && !submitter.equals(poller);
        }

        /** How many of these jobs each worker process submitted ("none" for those never sent). */
        private Map<String, Long> bySubmitter(Set<String> ids) {
            return ids.stream().collect(Collectors.groupingBy(
                    id -> keys.getOrDefault(lastKey(ProviderSimulator.SUBMIT, id), "none"), TreeMap::new,
                    Collectors.counting()));
        }

        private static String lastKey(String operation, String id) {
            return simulator.lastCallOf(operation, Requests.prompt(id)).map(ProviderSimulator.Call::apiKey)
                    .orElse(null);
        }

        @Override
        public void close() {
            if (load != null) {
                load.stop();
            }
            workers.forEach(WorkerProcess::terminate);
            group.close();
        }
    }
}
