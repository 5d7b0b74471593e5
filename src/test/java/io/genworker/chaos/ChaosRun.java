package io.genworker.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

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
 * exactly one result and the simulator must have seen at most one submission per job.
 */
public final class ChaosRun {

    /** What a run measured. A job interrupted mid-submit ends SUBMIT_UNCERTAIN with zero or one submission. */
    public record Report(int kills, RunOutcome outcome, Duration wallTime) {

        public String table() {
            return String.format("jobs=%d kills=%d lost=%d double_submissions=%d duplicate_results=%d "
                    + "submit_uncertain=%d (never reached the provider: %d) completed=%d failed=%d "
                    + "provider_submissions=%d wall_time_s=%.1f", outcome.jobs(), kills, outcome.lost(),
                    outcome.doubleSubmissions(), outcome.duplicateResults(), outcome.submitUncertain(),
                    outcome.uncertainNeverSubmitted(), outcome.completed(), outcome.failed(), outcome.submissions(),
                    wallTime.toMillis() / 1000.0);
        }
    }

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
        RunOutcome outcome = report.outcome();
        System.exit(outcome.lost() + outcome.doubleSubmissions() + outcome.duplicateResults() == 0 ? 0 : 1);
    }

    public Report run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(logs);
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(generationTime);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers())) {
            WorkerProcess[] workers = new WorkerProcess[2];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new WorkerProcess("worker-" + i, broker.bootstrapServers(), simulator.baseUrl(), logs,
                        WorkerProcess.SHORT_POLLS);
                workers[i].start().awaitReady();
            }

            Map<String, String> requests = new HashMap<>();
            for (int i = 0; i < jobs; i++) {
                String id = "chaos-" + i + "-" + UUID.randomUUID();
                requests.put(id, Requests.anyModel(id, i).toString());
            }
            topics.sendAll(requests);

            for (int k = 0; k < kills; k++) {
                pause(500 + random.nextInt(2500));
                WorkerProcess victim = workers[random.nextInt(2)];
                boolean graceful = k == kills - 1;
                victim.stop(graceful);
                System.out.printf("chaos: %s %s (%d/%d)%n", graceful ? "stopped" : "killed", victim.name(),
                        k + 1, kills);
                pause(300 + random.nextInt(1500));
                victim.start();
            }
            for (WorkerProcess worker : workers) {
                worker.awaitReady();
            }
            Map<String, List<JsonNode>> results = topics.committedResults(requests.keySet(), Duration.ofMinutes(5));
            for (WorkerProcess worker : workers) {
                worker.terminate();
            }
            return new Report(kills, RunOutcome.of(requests.keySet(), results, simulator),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The chaos itself is timed: random moments between kills. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
