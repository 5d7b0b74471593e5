package io.genworker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.joblog.JobLog;
import io.genworker.support.EmbeddedStack;
import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerTopics;

/**
 * The packaged worker in its own JVM against a broker and a provider simulator in this one: how many jobs a second
 * it carries from request to result, and how much heap a job in flight costs.
 */
final class EndToEndBenchmark {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    static final int HTTP_PORT = Integer.getInteger("bench.http-port", 18080);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EndToEndBenchmark() {
    }

    /**
     * An instant provider; N requests written as fast as the producer can; sustained jobs/s from the first request
     * sent to the last result read, counting only COMPLETED results; the worker's CPU per job. Run twice, the
     * tracker on one shard (the baseline) and on {@code bench.shards} (default: the worker's default, 2), each on a
     * fresh stack. The worker polls at a fixed 250 ms here: with an instant provider the adaptive policy would first
     * wait out the docs' 30-90 s prior, which measures the prior, not the pipeline.
     */
    static Map<String, Object> throughput(int jobs, Verdict verdict) throws Exception {
        int shards = Integer.getInteger("bench.shards", 2);
        Map<String, Object> one = throughputRun(jobs, 1, verdict);
        Map<String, Object> sharded = throughputRun(jobs, shards, verdict);
        System.out.printf("%n== end to end, instant provider: %d jobs, tracker on 1 shard vs %d ==%n", jobs, shards);
        System.out.printf("  %-34s %12s %12s%n", "", "1 shard", shards + " shards");
        for (String[] row : new String[][] {{"jobs_per_s", "sustained throughput (jobs/s)"},
            {"worker_cpu_ms_per_job", "worker CPU per job (ms)"}, {"worker_cpu_cores", "worker CPU (cores)"},
            {"broker_simulator_producer_cpu_cores", "broker+simulator+producer (cores)"},
            {"provider_calls_per_job", "provider calls per job"}}) {
            System.out.printf("  %-34s %12s %12s%n", row[1], one.get(row[0]), sharded.get(row[0]));
        }
        verdict.target("throughput: worker CPU per job <= 0.35 ms (" + shards + " shards)",
                ((Number) sharded.get("worker_cpu_ms_per_job")).doubleValue() <= 0.35);
        verdict.target("throughput: >= 2,500 jobs/s end to end (" + shards + " shards)",
                ((Number) sharded.get("jobs_per_s")).doubleValue() >= 2500);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("throughput_jobs", jobs);
        out.put("throughput_one_shard", one);
        out.put("throughput_sharded", sharded);
        out.put("throughput_shards", shards);
        return out;
    }

    private static Map<String, Object> throughputRun(int jobs, int shards, Verdict verdict) throws Exception {
        try (Stack stack = Stack.start(Duration.ZERO, Map.of(
                "WORKER_POLLING_STRATEGY", "fixed",
                "WORKER_POLLING_FIRST_POLL", "250ms",
                "WORKER_POLLING_INTERVAL", "250ms",
                "WORKER_TRACKER_SHARDS", Integer.toString(shards)), "-Xmx1g")) {
            warmUp(stack, 500);
            long callsBefore = stack.simulator.submissions() + stack.simulator.polls();
            List<String> ids = ids("tp" + shards, jobs);
            long workerCpuBefore = cpuTicks(stack.worker);
            long ownCpuBefore = ownCpuNanos();
            startProfile(stack.worker);
            long start = System.nanoTime();
            produce(stack.broker.bootstrapServers(), ids);
            long produced = System.nanoTime();
            long lastResult = awaitResults(stack.broker.bootstrapServers(), ids, Duration.ofMinutes(10));
            stopProfile(stack.worker, "throughput-" + shards + "-shards");
            double seconds = (lastResult - start) / 1e9;
            long calls = stack.simulator.submissions() + stack.simulator.polls() - callsBefore;
            double workerCpuSeconds = (cpuTicks(stack.worker) - workerCpuBefore) / 100.0;
            double workerCores = workerCpuSeconds / seconds;
            double ownCores = (ownCpuNanos() - ownCpuBefore) / 1e9 / seconds;
            RunOutcome outcome = outcome(stack, ids, Duration.ofSeconds(30));
            verdict.jobs("throughput, " + shards + " shards", outcome);
            double perSecond = outcome.completed() / seconds;
            System.out.printf("%n== end to end, instant provider: %d jobs, tracker on %d shards ==%n", jobs, shards);
            System.out.printf("  completed / failed    %8d / %d (duplicate results %d, double submissions %d)%n",
                    outcome.completed(), outcome.failed(), outcome.duplicateResults(), outcome.doubleSubmissions());
            System.out.printf("  requests written in   %8.2f s%n", (produced - start) / 1e9);
            System.out.printf("  last result after     %8.2f s%n", seconds);
            System.out.printf("  sustained throughput  %8.0f jobs/s%n", perSecond);
            System.out.printf("  provider calls / job  %8.2f%n", (double) calls / jobs);
            System.out.printf("  CPU, worker           %8.2f cores, %.3f ms per job%n", workerCores,
                    workerCpuSeconds * 1000 / jobs);
            System.out.printf("  CPU, broker+simulator+producer %.2f cores (of %d on this machine)%n", ownCores,
                    Runtime.getRuntime().availableProcessors());
            stages(stack.broker.bootstrapServers(), ids);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("completed", outcome.completed());
            out.put("failed", outcome.failed());
            out.put("jobs_per_s", PolicyBenchmark.round(perSecond));
            out.put("provider_calls_per_job", PolicyBenchmark.round((double) calls / jobs));
            out.put("worker_cpu_cores", PolicyBenchmark.round(workerCores));
            out.put("worker_cpu_ms_per_job", PolicyBenchmark.round(workerCpuSeconds * 1000 / jobs));
            out.put("broker_simulator_producer_cpu_cores", PolicyBenchmark.round(ownCores));
            return out;
        }
    }

    /**
     * N jobs held by the provider for ten minutes, all in flight at once on one worker with a 512 MB heap: heap
     * after a full GC minus the idle worker's, per job; and the worker's CPU while it only polls.
     */
    static Map<String, Object> inFlight(int jobs, Verdict verdict) throws Exception {
        try (Stack stack = Stack.start(Duration.ofMinutes(10), Map.of(), "-Xmx512m")) {
            long idleHeap = heapAfterGc(stack.worker);
            List<String> ids = ids("if", jobs);
            produce(stack.broker.bootstrapServers(), ids);
            Awaitility.await("all jobs in flight").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> metric("genworker_jobs_in_flight") >= jobs && stack.simulator.submissions() >= jobs);
            double inFlight = metric("genworker_jobs_in_flight");
            long loadedHeap = heapAfterGc(stack.worker);
            long pollsBefore = stack.simulator.polls();
            long cpuBefore = cpuTicks(stack.worker);
            long windowStart = System.nanoTime();
            // The measurement window itself: CPU and polls counted over 30 s of steady polling.
            Thread.sleep(30_000);
            double window = (System.nanoTime() - windowStart) / 1e9;
            double cpu = (cpuTicks(stack.worker) - cpuBefore) / 100.0 / window;
            double pollsPerSecond = (stack.simulator.polls() - pollsBefore) / window;
            double perJob = (double) (loadedHeap - idleHeap) / Math.max(1, inFlight);
            // The provider holds every job for ten minutes, so none may have failed or been submitted twice.
            verdict.jobs("in flight", outcome(stack, ids, Duration.ZERO));
            System.out.printf("%n== in flight: %d jobs held by the provider, worker heap capped at 512 MB ==%n", jobs);
            System.out.printf("  in flight             %8.0f%n", inFlight);
            System.out.printf("  heap idle / loaded    %8.1f / %.1f MB (after full GC)%n", idleHeap / 1e6,
                    loadedHeap / 1e6);
            System.out.printf("  heap per job          %8.0f bytes%n", perJob);
            System.out.printf("  CPU while polling     %8.1f %% of one core, %.0f polls/s%n", cpu * 100,
                    pollsPerSecond);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("in_flight_jobs", (long) inFlight);
            out.put("heap_bytes_per_in_flight_job", Math.round(perJob));
            out.put("heap_idle_bytes", idleHeap);
            out.put("heap_loaded_bytes", loadedHeap);
            out.put("idle_polling_cpu_share_of_one_core", PolicyBenchmark.round(cpu));
            out.put("idle_polling_polls_per_s", PolicyBenchmark.round(pollsPerSecond));
            return out;
        }
    }

    /**
     * Where the time goes: when 10 %, 50 % and 100 % of the run's jobs reached each stage, from the broker's
     * timestamps of the request and of each job-log record. The stage whose curve falls behind is the bottleneck.
     */
    private static void stages(String bootstrap, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        Map<String, List<Long>> byStage = new LinkedHashMap<>();
        for (String topic : List.of(WorkerTopics.REQUESTS, WorkerTopics.JOBS, WorkerTopics.RESULTS)) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-stages-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                int empty = 0;
                while (empty < 10) {
                    var records = consumer.poll(Duration.ofMillis(300));
                    empty = records.isEmpty() ? empty + 1 : 0;
                    for (ConsumerRecord<String, String> r : records) {
                        if (!wanted.contains(r.key()) || r.value() == null) {
                            continue;
                        }
                        String stage = topic.equals(WorkerTopics.JOBS) ? "job-log " + JobLog.stateOf(r.headers())
                                : topic;
                        byStage.computeIfAbsent(stage, k -> new java.util.ArrayList<>()).add(r.timestamp());
                    }
                }
            }
        }
        long start = byStage.getOrDefault(WorkerTopics.REQUESTS, List.of(0L)).stream().min(Long::compare).orElse(0L);
        System.out.printf("  %-22s %8s %8s %8s %8s  (seconds after the first request)%n", "stage", "records", "10%",
                "50%", "100%");
        byStage.forEach((stage, times) -> {
            times.sort(Long::compare);
            System.out.printf("  %-22s %8d %8.2f %8.2f %8.2f%n", stage, times.size(),
                    (times.get(times.size() / 10) - start) / 1e3, (times.get(times.size() / 2) - start) / 1e3,
                    (times.get(times.size() - 1) - start) / 1e3);
        });
    }

    /** Every committed result of these jobs, read to the end of the topic, against the simulator's submissions. */
    private static RunOutcome outcome(Stack stack, List<String> ids, Duration timeout) {
        try (WorkerTopics topics = new WorkerTopics(stack.broker.bootstrapServers())) {
            return RunOutcome.of(ids, topics.committedResults(ids, timeout), stack.simulator);
        }
    }

    private static void warmUp(Stack stack, int jobs) throws Exception {
        List<String> ids = ids("warm", jobs);
        produce(stack.broker.bootstrapServers(), ids);
        awaitResults(stack.broker.bootstrapServers(), ids, Duration.ofMinutes(5));
    }

    static List<String> ids(String prefix, int count) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> prefix + "-" + run + "-" + i).toList();
    }

    private static void produce(String bootstrap, List<String> ids) {
        produce(bootstrap, ids, Requests::anyModel);
    }

    /** Writes a request per id as fast as the producer can; {@code request} builds it from the id and its index. */
    static void produce(String bootstrap, List<String> ids, BiFunction<String, Integer, ObjectNode> request) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            int i = 0;
            for (String id : ids) {
                producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, id, request.apply(id, i++).toString()));
            }
            producer.flush();
        }
    }

    /** Reads results until every id has one; returns System.nanoTime() when the last arrived. */
    static long awaitResults(String bootstrap, List<String> ids, Duration timeout) {
        Set<String> missing = new HashSet<>(ids);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = System.nanoTime();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(WorkerTopics.RESULTS));
            while (!missing.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(missing.size() + " results missing after " + timeout);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (missing.remove(r.key())) {
                        last = System.nanoTime();
                    }
                }
            }
        }
        return last;
    }

    static double metric(String name) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + HTTP_PORT + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(2));
            }
            return sum;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The packaged worker in its own JVM on {@link #HTTP_PORT}, with the caps that would be measured lifted. */
    static Process startWorker(KafkaBroker broker, ProviderSimulator simulator, Map<String, String> env, String heap,
            Path log) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run ./mvnw package first");
        }
        Map<String, String> all = new LinkedHashMap<>(env);
        // The providers publish no rate limit and the simulator has none: the worker's own caps would be the
        // bottleneck being measured, so they are lifted here.
        all.put("WORKER_PROVIDERS_AIMLAPI_REQUESTS_PER_SECOND", "100000");
        all.put("WORKER_PROVIDERS_SEGMIND_REQUESTS_PER_SECOND", "100000");
        String concurrent = System.getProperty("bench.max-concurrent-calls", "256");
        all.put("WORKER_PROVIDERS_AIMLAPI_MAX_CONCURRENT_CALLS", concurrent);
        all.put("WORKER_PROVIDERS_SEGMIND_MAX_CONCURRENT_CALLS", concurrent);
        all.put("WORKER_TRACKER_MAX_IN_FLIGHT", "100000");
        all.putIfAbsent("QUARKUS_LOG_CATEGORY__IO_GENWORKER__LEVEL", "WARN");
        List<String> jvm = new java.util.ArrayList<>(List.of(heap));
        return EmbeddedStack.startWorker(JAR, broker.bootstrapServers(), simulator.baseUrl(), HTTP_PORT, all, jvm,
                log);
    }

    /**
     * With {@code -Dbench.jfr=true}, a flight recording of the worker over the measured run only (not its start-up
     * or warm-up), Java stacks sampled every 2 ms: see where the time goes with
     * {@code jfr print --events jdk.ExecutionSample target/benchmark/<name>.jfr}.
     */
    static void startProfile(Process worker) throws Exception {
        if (Boolean.getBoolean("bench.jfr")) {
            Path settings = Path.of("target", "benchmark", "samples.jfc").toAbsolutePath();
            Files.writeString(settings, """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <configuration version="2.0" label="samples">
                      <event name="jdk.ExecutionSample"><setting name="enabled">true</setting>
                        <setting name="period">2 ms</setting></event>
                    </configuration>
                    """);
            System.out.println(jcmd(worker, "JFR.start", "name=bench", "settings=" + settings));
        }
    }

    static void stopProfile(Process worker, String name) throws Exception {
        if (Boolean.getBoolean("bench.jfr")) {
            Path file = Path.of("target", "benchmark", name + ".jfr").toAbsolutePath();
            System.out.println(jcmd(worker, "JFR.stop", "name=bench", "filename=" + file));
        }
    }

    /** Heap in use after a full collection, read with jcmd from the JDK running this benchmark. */
    static long heapAfterGc(Process worker) throws Exception {
        jcmd(worker, "GC.run");
        String info = jcmd(worker, "GC.heap_info");
        // G1: " garbage-first heap   total 123456K, used 7890K"; other collectors print "used NNNK" too.
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read heap from: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    static String jcmd(Process worker, String... command) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(worker.pid())));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of the process, in clock ticks (1/100 s on Linux). */
    private static long cpuTicks(Process worker) throws IOException {
        return cpuTicks(worker.pid());
    }

    /** utime + stime of the process of this id, in clock ticks (1/100 s on Linux). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Broker and simulator in this JVM, the packaged worker in its own. */
    private record Stack(KafkaBroker broker, ProviderSimulator simulator, Process worker) implements AutoCloseable {

        static Stack start(Duration generationTime, Map<String, String> env, String heap) throws Exception {
            KafkaBroker broker = KafkaBroker.startInJvm();
            ProviderSimulator simulator = ProviderSimulator.start(0).generationTime(generationTime);
            Process worker = startWorker(broker, simulator, env, heap, Path.of("target", "benchmark", "worker.log"));
            EmbeddedStack.awaitReady(HTTP_PORT);
            return new Stack(broker, simulator, worker);
        }

        @Override
        public void close() throws Exception {
            worker.destroy();
            worker.waitFor(30, TimeUnit.SECONDS);
            worker.destroyForcibly();
            simulator.close();
            broker.close();
        }
    }
}
