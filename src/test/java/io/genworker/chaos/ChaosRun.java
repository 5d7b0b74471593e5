package io.genworker.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Two packaged workers as separate JVMs on one broker and one provider simulator; while jobs run, workers are
 * killed with SIGKILL (and once stopped gracefully) at random moments and restarted. At the end every job must have
 * exactly one result and the simulator must have seen at most one submission per job; a job may fail only
 * SUBMIT_UNCERTAIN, and only if a disruption caught its submission in flight (see {@link CutOffs}). Each worker
 * calls the provider with its own API key, so the simulator tells which worker submitted a job and which one polled
 * it last. The first victim is killed once it has a submitted job in flight and is started again only once the
 * survivor has polled one of its jobs: every run proves a hand-over of running jobs, whatever the later kills hit.
 */
public final class ChaosRun {

    /**
     * What a run measured. A job interrupted mid-submit ends SUBMIT_UNCERTAIN with zero or one submission.
     *
     * @param moved jobs submitted by one worker and polled to their end by the other
     */
    public record Report(int kills, RunOutcome outcome, long moved, CutOffs cutOffs, int groupChanges,
            Duration wallTime) {

        public String table() {
            return String.format("jobs=%d kills=%d lost=%d double_submissions=%d duplicate_results=%d moved=%d "
                    + "submit_uncertain=%d (never reached the provider: %d) in_flight_at_disruptions=%d "
                    + "unexplained_uncertain=%d failures_by_code=%s completed=%d failed=%d provider_submissions=%d "
                    + "group_changes=%d wall_time_s=%.1f", outcome.jobs(), kills, outcome.lost(),
                    outcome.doubleSubmissions(), outcome.duplicateResults(), moved, outcome.submitUncertain(),
                    outcome.uncertainNeverSubmitted(), cutOffs.inFlight().size(), cutOffs.unexplained().size(),
                    outcome.failureCounts(), outcome.completed(), outcome.failed(), outcome.submissions(),
                    groupChanges, wallTime.toMillis() / 1000.0);
        }

        /** Whether the run kept every promise the chaos test checks. */
        public boolean clean() {
            return outcome.lost() + outcome.doubleSubmissions() + outcome.duplicateResults() == 0
                    && outcome.failures().keySet().stream().allMatch(RunOutcome.SUBMIT_UNCERTAIN::equals)
                    && cutOffs.unexplained().isEmpty() && moved > 0;
        }
    }

    /**
     * A session long enough (and so an ownership lease, half of it) that a worker slowed down by a busy machine
     * keeps its partitions: the hand-overs the test counts are the ones its kills cause.
     */
    static final String SESSION_TIMEOUT = "20s";

    private final int jobs;
    private final int kills;
    private final Duration generationTime;
    private final Random random;
    private final Path logs = Path.of("target", "chaos");

    public ChaosRun(int jobs, int kills, Duration generationTime, long seed) {
        this.jobs = jobs;
        this.kills = kills;
        this.generationTime = generationTime;
        this.random = new Random(seed);
    }

    public static void main(String[] args) throws Exception {
        Report report = new ChaosRun(Integer.getInteger("chaos.jobs", 500), Integer.getInteger("chaos.kills", 6),
                Duration.ofSeconds(Integer.getInteger("chaos.generation-seconds", 5)), Long.getLong("chaos.seed",
                        System.nanoTime())).run();
        System.out.println(report.table());
        System.exit(report.clean() ? 0 : 1);
    }

    public Report run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(logs);
        String[] keys = {"sk-FAKE-chaos-0-0123456789", "sk-FAKE-chaos-1-0123456789"};
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(generationTime)
                        .acceptKey(keys[0]).alsoAcceptKey(keys[1]);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers());
                Disruptions disruptions = new Disruptions(broker.bootstrapServers())) {
            WorkerProcess[] workers = new WorkerProcess[2];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new WorkerProcess("worker-" + i, broker.bootstrapServers(), simulator.baseUrl(), logs,
                        WorkerProcess.shortPolls(Map.of("AIMLAPI_API_KEY", keys[i],
                                "WORKER_TRACKER_SESSION_TIMEOUT", SESSION_TIMEOUT)));
                workers[i].start().awaitReady();
            }

            TrackerGroup.awaitTwoOwners(topics);

            Map<String, String> requests = new HashMap<>();
            for (int i = 0; i < jobs; i++) {
                String id = "chaos-" + i + "-" + UUID.randomUUID();
                requests.put(id, Requests.anyModel(id, i).toString());
            }
            topics.sendAll(requests);

            for (int k = 0; k < kills; k++) {
                pause(500 + random.nextInt(2500));
                int victim = random.nextInt(2);
                String victimKey = keys[victim];
                String survivorKey = keys[1 - victim];
                if (k == 0) {
                    // A poll comes only after SUBMITTED is in the log: the victim has a running job to hand over.
                    Awaitility.await(workers[victim].name() + " polling a job").atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> simulator.calls().stream().anyMatch(c -> c.operation().equals("poll")
                                    && victimKey.equals(c.apiKey())));
                }
                boolean graceful = k == kills - 1;
                disruptions.during((graceful ? "stop " : "kill ") + workers[victim].name(),
                        () -> workers[victim].stop(graceful));
                System.out.printf("chaos: %s %s (%d/%d)%n", graceful ? "stopped" : "killed", workers[victim].name(),
                        k + 1, kills);
                if (k == 0) {
                    Awaitility.await("the survivor polling a job of " + workers[victim].name())
                            .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                            .until(() -> moved(requests.keySet(), simulator, victimKey, survivorKey) > 0);
                }
                pause(300 + random.nextInt(1500));
                workers[victim].start();
            }
            for (WorkerProcess worker : workers) {
                worker.awaitReady();
            }
            Map<String, List<JsonNode>> results = topics.committedResults(requests.keySet(), Duration.ofMinutes(5));
            for (WorkerProcess worker : workers) {
                disruptions.during("stop " + worker.name(), worker::terminate);
            }
            RunOutcome outcome = RunOutcome.of(requests.keySet(), results, simulator);
            CutOffs cutOffs = CutOffs.of(requests.keySet(), outcome.uncertain(),
                    JobLogHistory.read(broker.bootstrapServers(), requests.keySet()), disruptions);
            long moved = moved(requests.keySet(), simulator, keys[0], keys[1])
                    + moved(requests.keySet(), simulator, keys[1], keys[0]);
            return new Report(kills, outcome, moved, cutOffs, disruptions.groupChanges(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Jobs submitted with one key whose latest poll carried the other: moved from one worker to the other. */
    private static long moved(Collection<String> ids, ProviderSimulator simulator, String submitter, String poller) {
        Map<String, String> submittedWith = new HashMap<>();
        Map<String, String> lastPolledWith = new HashMap<>();
        for (ProviderSimulator.Call call : List.copyOf(simulator.calls())) {
            if (call.prompt() != null) {
                (call.operation().equals("submit") ? submittedWith : lastPolledWith).put(call.prompt(), call.apiKey());
            }
        }
        return ids.stream().map(Requests::prompt)
                .filter(prompt -> submitter.equals(submittedWith.get(prompt))
                        && poller.equals(lastPolledWith.get(prompt)))
                .count();
    }

    /** The chaos itself is timed: random moments between kills. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
