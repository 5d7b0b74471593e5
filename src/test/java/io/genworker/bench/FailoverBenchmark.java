package io.genworker.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.genworker.joblog.JobLogTransactions;
import io.genworker.joblog.JobRouting;
import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.StubWorkerConfig;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 16, parts 4 and 5: how soon a SIGKILLed worker's jobs are polled again by the survivor when the job log
 * holds a long history of finished jobs, and how soon the packaged worker is ready on an empty broker and how much
 * memory it holds then. Packaged workers in their own JVMs ({@link WorkerProcess}, -Xmx512m) against a broker and
 * the provider simulator in this one.
 */
final class FailoverBenchmark {

    private static final Path LOGS = Path.of("target", "benchmark", "failover");
    /** The worker's default partition count: three partitions each for two workers. */
    private static final int PARTITIONS = 6;
    private static final String SURVIVOR_KEY = "sk-FAKE-survivor-0123456789";
    private static final String VICTIM_KEY = "sk-FAKE-victim-0123456789";
    /** Long enough that every in-flight job is still running when the survivor takes it over. */
    private static final Duration GENERATION = Duration.ofMinutes(30);
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern ASSIGNED = Pattern.compile(
            "(?m)^(\\S+ \\S+) .*assigned \\[([^\\]]*)\\]: replaying to \\{([^}]*)\\}");
    private static final Pattern REPLAYED = Pattern.compile("(?m)^(\\S+ \\S+) .*replayed " + WorkerTopics.JOBS
            + "-(\\d+):");
    private static final Pattern PARTITION_END = Pattern.compile(Pattern.quote(WorkerTopics.JOBS) + "-(\\d+)=(\\d+)");

    private FailoverBenchmark() {
    }

    /**
     * {@code jobs} finished jobs written to a six-partition job log (each job's terminal record alone when
     * {@code compacted}, as compaction leaves all but the last hour; else four records a job); two workers replay it;
     * {@code inFlight} jobs submitted to a provider that holds them for half an hour, spread over both; one worker
     * SIGKILLed. Measured from the kill: the survivor's assignment of the dead worker's partitions and the end of
     * their replay (from the survivor's log), and each orphaned job's first poll by the survivor (from the
     * simulator's calls, told apart by API key).
     */
    static Map<String, Object> failover(int jobs, boolean compacted, int inFlight, Verdict verdict)
            throws Exception {
        Duration session = new StubWorkerConfig().tracker().sessionTimeout();
        Duration bound = session.plus(JobLogTransactions.TRANSACTION_TIMEOUT).plusSeconds(5);
        Map<String, Object> out = new LinkedHashMap<>();
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start(0).generationTime(GENERATION)
                        .acceptKey(SURVIVOR_KEY).alsoAcceptKey(VICTIM_KEY)) {
            String bootstrap = broker.bootstrapServers();
            JobLogFiller.createTopics(bootstrap, PARTITIONS);
            long fillStart = System.nanoTime();
            String run = UUID.randomUUID().toString().substring(0, 8);
            long written = JobLogFiller.fill(bootstrap, new JobRouting(PARTITIONS), "failover-" + run, jobs,
                    compacted, i -> SoakBenchmark.metadata("failover-" + run + "-" + i, i, 500));
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            System.out.printf("%n== failover: %d finished jobs (%d records, %s) in a %d-partition job log, two"
                    + " workers, %d jobs in flight, one worker SIGKILLed ==%n", jobs, written, compacted
                    ? "compacted: each job's terminal record" : "uncompacted: four records a job", PARTITIONS,
                    inFlight);
            System.out.printf("  log written in                  %8.1f s%n", fillSeconds);

            WorkerProcess survivor = worker("survivor", bootstrap, simulator, SURVIVOR_KEY);
            WorkerProcess victim = worker("victim", bootstrap, simulator, VICTIM_KEY);
            try (WorkerTopics topics = new WorkerTopics(bootstrap)) {
                long started = System.nanoTime();
                survivor.start();
                victim.start();
                awaitReady(List.of(survivor, victim), topics);
                double bothReady = (System.nanoTime() - started) / 1e9;
                System.out.printf("  both workers ready after        %8.1f s (each replays its share of the log)%n",
                        bothReady);

                List<String> ids = sendJobs(topics, run, inFlight);
                Awaitility.await("every job submitted and polled").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ids.stream().allMatch(id -> simulator.submissionsOf(Requests.prompt(id)) == 1
                                && simulator.callsOf(ProviderSimulator.POLL, Requests.prompt(id)) > 0));
                List<String> orphans = ids.stream().filter(id -> VICTIM_KEY.equals(submitter(simulator, id)))
                        .toList();

                CpuSamples cpu = new CpuSamples(survivor.pid());
                Instant killed = Instant.now();
                victim.kill();
                int exit = victim.exitValue();
                Map<String, Double> firstPolls = awaitSurvivorPolls(simulator, orphans, killed,
                        bound.plusSeconds(30), cpu);
                Takeover takeover = Takeover.read(LOGS.resolve("survivor-0.log"), killed);
                double replayCpu = cpu.secondsBetween(takeover.assigned(), takeover.replayed());

                List<Double> latencies = firstPolls.values().stream().sorted().toList();
                double p50 = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2);
                double max = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1);
                double replaySeconds = takeover.replaySeconds();
                double perSecond = takeover.records() / replaySeconds;
                System.out.printf("  victim's exit                   %8d (%s)%n", exit, exit == 137 ? "SIGKILL"
                        : "not SIGKILL");
                System.out.printf("  orphaned jobs                   %8d of %d in flight (%d polled again)%n",
                        orphans.size(), ids.size(), firstPolls.size());
                System.out.printf("  kill -> survivor assigned       %8.2f s (partitions %s)%n",
                        takeover.assignedSeconds(), takeover.partitions());
                System.out.printf("  assigned -> replay done         %8.2f s (%d records, %.0f records/s)%n",
                        replaySeconds, takeover.records(), perSecond);
                System.out.printf("  survivor's CPU while replaying  %8.2f s (%.0f records per CPU second; load"
                        + " average %s)%n", replayCpu, takeover.records() / replayCpu, loadAverage());
                System.out.printf("  kill -> first poll of orphans   p50 %.2f s, max %.2f s%n", p50, max);
                System.out.printf("  target bound                    %8d s (session timeout %d s + transaction"
                        + " timeout %d s + 5 s)%n", bound.toSeconds(), session.toSeconds(),
                        JobLogTransactions.TRANSACTION_TIMEOUT.toSeconds());

                out.put("jobs", jobs);
                out.put("records", written);
                out.put("compacted", compacted);
                out.put("partitions", PARTITIONS);
                out.put("fill_s", PolicyBenchmark.round(fillSeconds));
                out.put("both_ready_s", PolicyBenchmark.round(bothReady));
                out.put("victim_exit", exit);
                out.put("orphaned_jobs", orphans.size());
                out.put("orphaned_jobs_polled", firstPolls.size());
                out.put("kill_to_assigned_s", PolicyBenchmark.round(takeover.assignedSeconds()));
                out.put("assigned_to_replayed_s", PolicyBenchmark.round(replaySeconds));
                out.put("replayed_records", takeover.records());
                out.put("replay_records_per_s", Math.round(perSecond));
                out.put("replay_cpu_s", PolicyBenchmark.round(replayCpu));
                out.put("replay_records_per_cpu_s", Math.round(takeover.records() / replayCpu));
                out.put("kill_to_first_poll_p50_s", PolicyBenchmark.round(p50));
                out.put("kill_to_first_poll_max_s", PolicyBenchmark.round(max));
                out.put("bound_s", bound.toSeconds());
                verdict.failover(exit, orphans.size(), firstPolls.size(), max, bound.toSeconds());
            } finally {
                victim.kill();
                survivor.terminate();
            }
        }
        return Map.of("failover", out);
    }

    private static WorkerProcess worker(String name, String bootstrap, ProviderSimulator simulator, String key) {
        return new WorkerProcess(name, bootstrap, simulator.baseUrl(), LOGS, WorkerProcess.shortPolls(Map.of(
                "AIMLAPI_API_KEY", key,
                "WORKER_TOPICS_PARTITIONS", Integer.toString(PARTITIONS),
                "QUARKUS_LOG_CATEGORY__IO_GENWORKER__LEVEL", "INFO")));
    }

    /** Both ready (their replays done) and both owning partitions: longer than {@link WorkerProcess#awaitReady}. */
    private static void awaitReady(List<WorkerProcess> workers, WorkerTopics topics) {
        Awaitility.await("two workers ready, each owning job-log partitions").atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (WorkerProcess worker : workers) {
                        if (!worker.alive()) {
                            throw new IllegalStateException(worker.name() + " exited");
                        }
                    }
                    return workers.stream().allMatch(WorkerProcess::ready) && owners(topics) == workers.size();
                });
    }

    /** Members of the tracker's group that own job-log partitions; 0 while the group is not described yet. */
    private static long owners(WorkerTopics topics) {
        try {
            return topics.jobLogOwners().stream().filter(owned -> !owned.isEmpty()).count();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static List<String> sendJobs(WorkerTopics topics, String run, int count) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = "inflight-" + run + "-" + i;
            requests.put(id, Requests.anyModel(id, i).toString());
        }
        topics.sendAll(requests);
        return new ArrayList<>(requests.keySet());
    }

    private static String submitter(ProviderSimulator simulator, String id) {
        return simulator.lastCallOf(ProviderSimulator.SUBMIT, Requests.prompt(id)).map(ProviderSimulator.Call::apiKey)
                .orElse(null);
    }

    /**
     * Seconds from the kill to each orphaned job's first poll by the survivor; the jobs never polled are absent. The
     * survivor's CPU time is sampled meanwhile.
     */
    private static Map<String, Double> awaitSurvivorPolls(ProviderSimulator simulator, List<String> orphans,
            Instant killed, Duration atMost, CpuSamples cpu) {
        Map<String, Double> first = new TreeMap<>();
        try {
            Awaitility.await("every orphaned job polled by the survivor").atMost(atMost)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        cpu.sample();
                        for (String id : orphans) {
                            if (!first.containsKey(id)) {
                                firstSurvivorPoll(simulator, id, killed).ifPresent(at -> first.put(id,
                                        Duration.between(killed, at).toMillis() / 1e3));
                            }
                        }
                        return first.size() == orphans.size();
                    });
            // The log line of the replay's end may come a little after the first poll's.
            Awaitility.await().pollDelay(Duration.ofSeconds(1)).until(() -> cpu.sample());
        } catch (ConditionTimeoutException e) {
            // Reported as the jobs not polled again, and failed by the verdict.
        }
        return first;
    }

    private static Optional<Instant> firstSurvivorPoll(ProviderSimulator simulator, String id, Instant killed) {
        return simulator.callHistory(ProviderSimulator.POLL, Requests.prompt(id)).stream()
                .filter(call -> SURVIVOR_KEY.equals(call.apiKey()) && !call.at().isBefore(killed))
                .map(ProviderSimulator.Call::at).findFirst();
    }

    /**
     * What the survivor's log tells of its take-over: the first assignment after the kill, the partitions assigned
     * then and where their replay ends, and when the last of them was replayed.
     */
    private record Takeover(Instant assigned, Instant replayed, Set<Integer> partitions, long records,
            Instant killed) {

        double assignedSeconds() {
            return assigned == null ? Double.NaN : Duration.between(killed, assigned).toMillis() / 1e3;
        }

        double replaySeconds() {
            return assigned == null || replayed == null ? Double.NaN
                    : Duration.between(assigned, replayed).toMillis() / 1e3;
        }

        static Takeover read(Path log, Instant killed) {
            String text;
            try {
                text = Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Instant assigned = null;
            Set<Integer> partitions = new TreeSet<>();
            long records = 0;
            Matcher a = ASSIGNED.matcher(text);
            while (a.find()) {
                Instant at = instant(a.group(1));
                if (at.isBefore(killed)) {
                    continue;
                }
                assigned = assigned == null ? at : assigned;
                Map<Integer, Long> ends = new TreeMap<>();
                Matcher end = PARTITION_END.matcher(a.group(3));
                while (end.find()) {
                    ends.put(Integer.parseInt(end.group(1)), Long.parseLong(end.group(2)));
                }
                Matcher p = Pattern.compile(Pattern.quote(WorkerTopics.JOBS) + "-(\\d+)").matcher(a.group(2));
                while (p.find()) {
                    int partition = Integer.parseInt(p.group(1));
                    if (partitions.add(partition)) {
                        records += ends.getOrDefault(partition, 0L);
                    }
                }
            }
            Instant replayed = null;
            Matcher r = REPLAYED.matcher(text);
            while (r.find()) {
                Instant at = instant(r.group(1));
                if (assigned != null && !at.isBefore(assigned) && partitions.contains(Integer.parseInt(r.group(2)))) {
                    replayed = at;
                }
            }
            return new Takeover(assigned, replayed, partitions, records, killed);
        }

        private static Instant instant(String logTime) {
            return LOG_TIME.parse(logTime, LocalDateTime::from).atZone(ZoneId.systemDefault()).toInstant();
        }
    }

    /** The load average of the last minute: how much the other processes on this machine ran meanwhile. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A process's CPU time (user + system) sampled over time, to tell how much of it fell between two moments. */
    private static final class CpuSamples {

        private final long pid;
        private final List<Instant> at = new ArrayList<>();
        private final List<Long> ticks = new ArrayList<>();

        CpuSamples(long pid) {
            this.pid = pid;
            sample();
        }

        /** Always true, to be awaited on. */
        boolean sample() {
            try {
                long now = EndToEndBenchmark.cpuTicks(pid);
                at.add(Instant.now());
                ticks.add(now);
            } catch (IOException e) {
                // The process has ended: no more samples.
            }
            return true;
        }

        /** CPU seconds between the samples nearest to the two moments; NaN when either is unknown. */
        double secondsBetween(Instant from, Instant to) {
            if (from == null || to == null || at.isEmpty()) {
                return Double.NaN;
            }
            return (ticks.get(nearest(to)) - ticks.get(nearest(from))) / 100.0;
        }

        private int nearest(Instant moment) {
            int best = 0;
            for (int i = 1; i < at.size(); i++) {
                if (Duration.between(at.get(i), moment).abs().compareTo(Duration.between(at.get(best), moment)
                        .abs()) < 0) {
                    best = i;
                }
            }
            return best;
        }
    }
}
