package io.genworker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.polling.FailureLearning;
import io.genworker.polling.PollPolicy;

/**
 * The benchmark docs/polling.md describes: poll policies in virtual time, end-to-end throughput on a real broker,
 * memory per in-flight job, failover after a SIGKILL, and start-up time and memory. Prints a table and writes
 * target/benchmark/summary.json; exits with 1 when the run breaks what it measures (see {@link Verdict}).
 * <p>
 * System properties: {@code bench.sections} (comma list of policies, throughput, inflight, fleet-rate,
 * failover, startup; default policies, throughput, inflight: the others start several workers, see their classes),
 * {@code bench.policy-jobs} (10000), {@code bench.seed} (42), {@code bench.failure-seed} (16, which jobs fail early
 * and when), {@code bench.throughput-jobs} (20000),
 * {@code bench.inflight-jobs} (20000), {@code bench.failover-jobs}
 * (finished jobs in the log, 1000000), {@code bench.failover-uncompacted} (false: each finished job is its terminal
 * record, as compaction leaves it; true: four records a job), {@code bench.failover-in-flight} (60),
 * {@code bench.startup-runs} (3).
 */
public final class Benchmark {

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> sections = Set.of(System.getProperty("bench.sections", "policies,throughput,inflight")
                .split(","));
        Map<String, Object> summary = new LinkedHashMap<>();
        Verdict verdict = new Verdict();
        if (sections.contains("policies")) {
            summary.putAll(policies(Integer.getInteger("bench.policy-jobs", 10_000),
                    Long.getLong("bench.seed", 42L), Long.getLong("bench.failure-seed", 16L), verdict));
        }
        if (sections.contains("throughput")) {
            summary.putAll(EndToEndBenchmark.throughput(Integer.getInteger("bench.throughput-jobs", 20_000),
                    verdict));
        }
        if (sections.contains("inflight")) {
            summary.putAll(EndToEndBenchmark.inFlight(Integer.getInteger("bench.inflight-jobs", 20_000), verdict));
        }
        if (sections.contains("fleet-rate")) {
            summary.putAll(FleetRateBenchmark.fleetRate(verdict));
        }
        if (sections.contains("failover")) {
            summary.putAll(FailoverBenchmark.failover(Integer.getInteger("bench.failover-jobs", 1_000_000),
                    !Boolean.getBoolean("bench.failover-uncompacted"),
                    Integer.getInteger("bench.failover-in-flight", 60), verdict));
        }
        if (sections.contains("startup")) {
            summary.putAll(StartupBenchmark.startup(Integer.getInteger("bench.startup-runs", 3)));
        }
        List<String> failures = verdict.failures();
        summary.put("targets", verdict.targets());
        summary.put("failures", failures);
        Path out = Path.of("target", "benchmark", "summary.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary));
        System.out.println("\nwritten " + out.toAbsolutePath());
        verdict.targets().forEach((target, met) -> System.out.printf("TARGET %-6s %s%n", met ? "MET" : "MISSED",
                target));
        System.out.printf("BENCHMARK %s failures=%d%n", failures.isEmpty() ? "PASSED" : "FAILED", failures.size());
        failures.forEach(f -> System.out.println("  " + f));
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    static Map<String, Object> policies(int jobs, long seed, long failureSeed, Verdict verdict) {
        ModelCatalogue catalogue = PolicyBenchmark.catalogue();
        List<PolicyBenchmark.Job> workload = PolicyBenchmark.workload(jobs, seed, failureSeed);
        Duration backoffInitial = Duration.ofSeconds(1);
        Duration backoffMax = Duration.ofSeconds(60);
        // The worker's defaults (worker.polling.*), with failures learned (issue 16) and, as before, not.
        FailureLearning failures = new FailureLearning(true, 0.003, Duration.ofSeconds(10));
        List<PolicyBenchmark.Outcome> outcomes = List.of(
                PolicyBenchmark.run("adaptive", () -> PollPolicy.adaptive(catalogue, Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofSeconds(10), 20, 200, failures, backoffInitial, backoffMax,
                        new Random(seed)), workload),
                PolicyBenchmark.run("adaptive-successes", () -> PollPolicy.adaptive(catalogue,
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10), 20, 200,
                        FailureLearning.OFF, backoffInitial, backoffMax, new Random(seed)), workload),
                PolicyBenchmark.run("fixed-10s", () -> PollPolicy.fixed(catalogue, Duration.ofSeconds(10),
                        Duration.ofSeconds(10), backoffInitial, backoffMax, new Random(seed)), workload),
                PolicyBenchmark.run("fixed-2s", () -> PollPolicy.fixed(catalogue, Duration.ofSeconds(2),
                        Duration.ofSeconds(2), backoffInitial, backoffMax, new Random(seed)), workload));

        System.out.printf("%n== poll policies, virtual time: %d jobs (seed %d), %.0f%% transient errors, %.0f%% 429 with"
                + " Retry-After %ds; %.0f%% fail %.0f-%.0f s after submission (failure seed %d) ==%n", jobs, seed,
                PolicyBenchmark.TRANSIENT_ERROR_RATE * 100, PolicyBenchmark.RATE_LIMITED_RATE * 100,
                PolicyBenchmark.RETRY_AFTER.toSeconds(), PolicyBenchmark.EARLY_FAILURE_SHARE * 100,
                PolicyBenchmark.EARLY_FAILURE_MIN_SECONDS, PolicyBenchmark.EARLY_FAILURE_MAX_SECONDS, failureSeed);
        System.out.println("(60-90 s: the successful jobs of those models; fail <10 s: the jobs that failed by 10 s)");
        String header = String.format("%-19s %-10s %8s %10s %10s %10s %10s%n", "policy", "jobs", "n", "polls mean",
                "polls p99", "delay p50", "delay p99");
        System.out.print(header);
        Map<String, Object> policies = new LinkedHashMap<>();
        for (PolicyBenchmark.Outcome o : outcomes) {
            row(o.policy(), "all", o.all());
            row(o.policy(), "60-90 s", o.sixtyToNinety());
            row(o.policy(), "fail <10 s", o.failsWithin10s());
            Map<String, Object> entry = PolicyBenchmark.toMap(o.all());
            entry.put("models_60_90s", PolicyBenchmark.toMap(o.sixtyToNinety()));
            entry.put("fails_within_10s", PolicyBenchmark.toMap(o.failsWithin10s()));
            policies.put(o.policy(), entry);
        }
        verdict.adaptiveBeatsFixed(outcomes.get(0), outcomes.get(2));
        verdict.adaptiveTargets(outcomes.get(0));
        return Map.of("policies", policies);
    }

    private static void row(String policy, String jobs, PolicyBenchmark.Stats s) {
        System.out.printf("%-19s %-10s %8d %10.2f %10.0f %9.2fs %9.2fs%n", policy, jobs, s.jobs(), s.pollsMean(),
                s.pollsP99(), s.delayP50(), s.delayP99());
    }
}
