package io.genworker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

import io.genworker.support.EmbeddedStack;
import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;

/**
 * Several workers against one provider account: three packaged workers share the job log, each configured with the
 * account's rate, against a simulator that enforces the account's limit over any sliding second across all of them
 * (429 with Retry-After beyond it). Run once with `limit-scope` `account` (each worker applies its share of the
 * partitions) and once with `worker` (each applies the whole rate, as before issue 16): the calls a second that
 * reach the provider, and how many of them it refuses.
 * <p>
 * The workers are configured a tenth below the limit, as the operations docs advise: calls paced at exactly the
 * limit reach a strict sliding-window limiter with the jitter of the network and of busy machines, and some seconds
 * then hold one call too many (run at the limit on a loaded 2-core machine, 7 % of the calls were refused).
 * <p>
 * System properties: {@code bench.fleet-seconds} (the measured window, 60), {@code bench.fleet-limit} (the
 * account's calls a second, 30), {@code bench.fleet-rate} (each worker's requests-per-second, 90 % of the limit),
 * {@code bench.fleet-jobs} (jobs in flight, 300), {@code bench.fleet-port} (the first worker's HTTP port, 18181).
 */
final class FleetRateBenchmark {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final int WORKERS = 3;
    /** Time for the jobs' submissions to queue up and the gates to fill before the window opens. */
    private static final Duration WARM_UP = Duration.ofSeconds(5);

    /**
     * What the provider saw in the window, for one scope: calls accepted and refused, the most calls that arrived
     * within one second, and in how many of the window's whole seconds any call was refused (refusals bunched in a
     * few seconds are bursts of arrivals, not a fleet above its limit).
     */
    record Run(String scope, double seconds, long accepted, long refused, int peakPerSecond,
            int secondsWithRefusals) {

        double callsPerSecond() {
            return (accepted + refused) / seconds;
        }

        double acceptedPerSecond() {
            return accepted / seconds;
        }

        double refusedShare() {
            return accepted + refused == 0 ? 0 : (double) refused / (accepted + refused);
        }

        Map<String, Object> toMap() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("calls_per_s", PolicyBenchmark.round(callsPerSecond()));
            out.put("accepted_per_s", PolicyBenchmark.round(acceptedPerSecond()));
            out.put("rate_limited_percent", PolicyBenchmark.round(refusedShare() * 100));
            out.put("calls", accepted + refused);
            out.put("rate_limited", refused);
            out.put("peak_calls_in_one_second", peakPerSecond);
            out.put("seconds_with_429", secondsWithRefusals);
            return out;
        }
    }

    private FleetRateBenchmark() {
    }

    static Map<String, Object> fleetRate(Verdict verdict) throws Exception {
        int limit = Integer.getInteger("bench.fleet-limit", 30);
        Duration window = Duration.ofSeconds(Integer.getInteger("bench.fleet-seconds", 60));
        int rate = Integer.getInteger("bench.fleet-rate", limit * 9 / 10);
        int jobs = Integer.getInteger("bench.fleet-jobs", 300);
        List<Run> runs = new ArrayList<>();
        for (String scope : List.of("account", "worker")) {
            runs.add(run(scope, limit, rate, window, jobs));
        }
        System.out.printf("%n== fleet rate: %d workers, each configured at %d calls/s, one account limited to %d calls"
                + " over any sliding second; %d jobs polled every second, %d s measured ==%n", WORKERS, rate, limit,
                jobs, window.toSeconds());
        System.out.printf("  %-26s %12s %12s%n", "limit-scope", runs.get(0).scope(), runs.get(1).scope());
        row("calls/s at the provider", "%12.1f", runs, Run::callsPerSecond);
        row("accepted calls/s", "%12.1f", runs, Run::acceptedPerSecond);
        row("429 share of calls", "%11.2f%%", runs, r -> r.refusedShare() * 100);
        row("peak calls in one second", "%12.0f", runs, r -> (double) r.peakPerSecond());
        row("seconds with a 429", "%12.0f", runs, r -> (double) r.secondsWithRefusals());
        row("calls in the window", "%12.0f", runs, r -> (double) (r.accepted() + r.refused()));
        Run account = runs.get(0);
        verdict.fleetRate(account.callsPerSecond(), limit, account.refusedShare());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workers", WORKERS);
        out.put("account_limit_per_s", limit);
        out.put("configured_per_s", rate);
        out.put("window_s", window.toSeconds());
        runs.forEach(r -> out.put(r.scope(), r.toMap()));
        return Map.of("fleet_rate", out);
    }

    private static void row(String label, String format, List<Run> runs,
            java.util.function.ToDoubleFunction<Run> value) {
        StringBuilder line = new StringBuilder(String.format("  %-26s", label));
        runs.forEach(r -> line.append(' ').append(String.format(format, value.applyAsDouble(r))));
        System.out.println(line);
    }

    private static Run run(String scope, int limit, int rate, Duration window, int jobs) throws Exception {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run ./mvnw package first");
        }
        int firstPort = Integer.getInteger("bench.fleet-port", 18181);
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start(0).generationTime(Duration.ofMinutes(10))
                        .accountRateLimit(limit)) {
            List<Process> workers = new ArrayList<>();
            try {
                for (int i = 0; i < WORKERS; i++) {
                    workers.add(EmbeddedStack.startWorker(JAR, broker.bootstrapServers(), simulator.baseUrl(),
                            firstPort + i, environment(scope, rate), List.of("-Xmx256m"),
                            Path.of("target", "benchmark", "fleet-" + scope + "-worker-" + i + ".log")));
                }
                for (int i = 0; i < WORKERS; i++) {
                    EmbeddedStack.awaitReady(firstPort + i);
                }
                awaitPartitionsSpread(broker.bootstrapServers());
                List<String> ids = EndToEndBenchmark.ids("fleet-" + scope, jobs);
                EndToEndBenchmark.produce(broker.bootstrapServers(), ids, (id, i) -> Requests.textToVideo(id));
                Thread.sleep(WARM_UP.toMillis());
                // The window itself: the provider's counters read at both ends.
                long accepted = simulator.callsWithinRateLimit();
                long refused = simulator.callsRateLimited();
                Instant from = Instant.now();
                long start = System.nanoTime();
                Thread.sleep(window.toMillis());
                double seconds = (System.nanoTime() - start) / 1e9;
                Instant to = Instant.now();
                List<ProviderSimulator.Call> calls = simulator.calls().stream()
                        .filter(c -> !c.at().isBefore(from) && c.at().isBefore(to)).toList();
                return new Run(scope, seconds, simulator.callsWithinRateLimit() - accepted,
                        simulator.callsRateLimited() - refused, peakPerSecond(calls), secondsWithRefusals(calls, from));
            } finally {
                workers.forEach(Process::destroy);
                for (Process worker : workers) {
                    if (!worker.waitFor(30, TimeUnit.SECONDS)) {
                        worker.destroyForcibly();
                    }
                }
            }
        }
    }

    /**
     * Each worker at the account's rate, told whose rate it is; polling every second (first poll after one), so
     * that 100 jobs a worker ask for far more calls than any share: the gates, not the jobs, set the rate.
     */
    private static Map<String, String> environment(String scope, int rate) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String provider : List.of("AIMLAPI", "SEGMIND")) {
            env.put("WORKER_PROVIDERS_" + provider + "_REQUESTS_PER_SECOND", Integer.toString(rate));
            env.put("WORKER_PROVIDERS_" + provider + "_LIMIT_SCOPE", scope);
        }
        env.put("WORKER_POLLING_STRATEGY", "fixed");
        env.put("WORKER_POLLING_FIRST_POLL", "1s");
        env.put("WORKER_POLLING_INTERVAL", "1s");
        return env;
    }

    /** Until every worker is in the tracker's group and each owns its part of the job log (2 of 6 partitions). */
    private static void awaitPartitionsSpread(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            Awaitility.await("job-log partitions spread over " + WORKERS + " workers").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                        ConsumerGroupDescription group = admin.describeConsumerGroups(
                                List.of(WorkerTopics.TRACKER_GROUP)).all().get().get(WorkerTopics.TRACKER_GROUP);
                        List<Integer> sizes = group.members().stream().map(MemberDescription::assignment)
                                .map(a -> a.topicPartitions().size()).toList();
                        return sizes.size() == WORKERS && sizes.stream().allMatch(n -> n > 0)
                                && sizes.stream().mapToInt(Integer::intValue).max().getAsInt()
                                        - sizes.stream().mapToInt(Integer::intValue).min().getAsInt() <= 1;
                    });
        }
    }

    /** How many whole seconds after {@code from} saw a call refused with 429. */
    private static int secondsWithRefusals(List<ProviderSimulator.Call> calls, Instant from) {
        return (int) calls.stream().filter(c -> c.faulted() && c.fault().status() == 429)
                .mapToLong(c -> Duration.between(from, c.at()).toSeconds()).distinct().count();
    }

    /** The most calls that arrived within one second, accepted or not. */
    private static int peakPerSecond(List<ProviderSimulator.Call> calls) {
        List<Instant> arrivals = calls.stream().map(ProviderSimulator.Call::at).sorted().toList();
        int peak = 0;
        int first = 0;
        for (int last = 0; last < arrivals.size(); last++) {
            while (Duration.between(arrivals.get(first), arrivals.get(last)).compareTo(Duration.ofSeconds(1)) >= 0) {
                first++;
            }
            peak = Math.max(peak, last - first + 1);
        }
        return peak;
    }
}
