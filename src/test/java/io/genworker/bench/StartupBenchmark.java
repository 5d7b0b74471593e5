package io.genworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.WorkerProcess;

/**
 * Issue 16, part 5: from launching the packaged jar ({@code java -Xmx512m -jar target/quarkus-app/quarkus-run.jar})
 * to {@code /q/health/ready} answering UP against a broker in this JVM, and the process's resident memory then
 * (VmRSS), with the CPU time it had used by then (the wall time on a shared machine depends on the neighbours). The
 * first start also creates the worker's topics; the later ones find them.
 */
final class StartupBenchmark {

    private static final Path LOGS = Path.of("target", "benchmark", "startup");
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

    private StartupBenchmark() {
    }

    static Map<String, Object> startup(int runs) throws Exception {
        List<Entry<Double, Long>> starts = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.startInJvm(); ProviderSimulator simulator = ProviderSimulator.start(0)) {
            System.out.printf("%n== start-up: packaged jar to /q/health/ready UP, empty broker, %d starts ==%n", runs);
            for (int i = 0; i < runs; i++) {
                WorkerProcess worker = new WorkerProcess("startup", broker.bootstrapServers(), simulator.baseUrl(),
                        LOGS, Map.of());
                try {
                    long launched = System.nanoTime();
                    worker.start();
                    Awaitility.await("worker ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                            .until(() -> {
                                if (!worker.alive()) {
                                    throw new IllegalStateException("the worker exited with " + worker.exitValue());
                                }
                                return worker.ready();
                            });
                    double seconds = (System.nanoTime() - launched) / 1e9;
                    long rss = rssBytes(worker.pid());
                    double cpuSeconds = EndToEndBenchmark.cpuTicks(worker.pid()) / 100.0;
                    starts.add(Map.entry(seconds, rss));
                    cpu.add(cpuSeconds);
                    System.out.printf("  start %d%s ready after %6.2f s, RSS %6.1f MB, CPU %5.1f s (load average"
                            + " %s)%n", i + 1, i == 0 ? " (creates the topics)" : "", seconds, rss / 1e6,
                            cpuSeconds, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                } finally {
                    worker.terminate();
                }
            }
        }
        List<Double> seconds = starts.stream().map(Entry::getKey).sorted().toList();
        List<Long> rss = starts.stream().map(Entry::getValue).sorted().toList();
        double medianSeconds = seconds.get(seconds.size() / 2);
        long medianRss = rss.get(rss.size() / 2);
        System.out.printf("  median                  %6.2f s, RSS %6.1f MB (heap capped at 512 MB)%n", medianSeconds,
                medianRss / 1e6);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs);
        out.put("ready_s", starts.stream().map(s -> PolicyBenchmark.round(s.getKey())).toList());
        out.put("rss_bytes", starts.stream().map(Entry::getValue).toList());
        out.put("cpu_s_at_ready", cpu.stream().map(PolicyBenchmark::round).toList());
        out.put("ready_median_s", PolicyBenchmark.round(medianSeconds));
        out.put("rss_median_bytes", medianRss);
        return Map.of("startup", out);
    }

    /** The process's resident set, from /proc/PID/status. */
    static long rssBytes(long pid) throws IOException {
        Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (!m.find()) {
            throw new IllegalStateException("no VmRSS for process " + pid);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }
}
