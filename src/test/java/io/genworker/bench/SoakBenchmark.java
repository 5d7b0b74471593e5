package io.genworker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerTopics;

/**
 * How a worker that runs for weeks holds its memory (issue 11): the heap a finished job leaves behind once the
 * dedup structure remembers it, that structure's pruning after the dedup window, and how fast a worker replays a
 * long job log before it is ready. One packaged worker at a time in its own JVM ({@code -Xmx512m}), against an
 * in-JVM broker and the provider simulator with instant generations. Prints one line per figure starting with
 * {@code SOAK}, writes target/soak/summary.json (class histograms beside it), and exits with 1 when a finished job
 * retains more than {@value #TARGET_BYTES_PER_JOB} bytes, pruning did not lower the remembered count, or a job
 * failed, was answered twice or submitted twice.
 * <p>
 * System properties: {@code soak.sections} (retention,replay; default both), {@code soak.jobs} (50000),
 * {@code soak.dedup-window-s} (the worker's dedup window in the retention part, 600: longer than the jobs take to
 * finish, or the first of them are pruned before the heap is read), {@code soak.metadata-bytes} (500),
 * {@code soak.replay-records} (200000; 1000000 for the figure), {@code bench.http-port} (18080).
 */
public final class SoakBenchmark {

    static final long TARGET_BYTES_PER_JOB = 100;
    private static final Path OUT = Path.of("target", "soak");
    /** How often the worker prunes (JobTracker's PRUNE_EVERY). */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    private static final String REMEMBERED = "genworker_jobs_remembered";
    private static final String HEAP = "-Xmx512m";
    private static final String INTAKE_RECORD = "io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord";
    private static final int WARM_UP_JOBS = 500;
    private static final String HEAP_BUFFER = "java.nio.HeapByteBuffer";
    /** The producers' batch.size (Kafka's default). */
    private static final int BATCH_BYTES = 16 * 1024;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");
    private static final String TOTAL = "Total";

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> sections = Set.of(System.getProperty("soak.sections", "retention,replay").split(","));
        int metadataBytes = Integer.getInteger("soak.metadata-bytes", 500);
        Files.createDirectories(OUT);
        Map<String, Object> summary = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        Verdict verdict = new Verdict();
        if (sections.contains("retention")) {
            summary.putAll(retention(Integer.getInteger("soak.jobs", 50_000),
                    Duration.ofSeconds(Integer.getInteger("soak.dedup-window-s", 600)), metadataBytes, verdict,
                    failures));
        }
        if (sections.contains("replay")) {
            summary.putAll(replay(Integer.getInteger("soak.replay-records", 200_000), metadataBytes, summary,
                    failures));
        }
        failures.addAll(0, verdict.failures());
        summary.put("failures", failures);
        Path out = OUT.resolve("summary.json");
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary));
        System.out.println("\nwritten " + out.toAbsolutePath());
        System.out.printf("SOAK %s failures=%d%n", failures.isEmpty() ? "PASSED" : "FAILED", failures.size());
        failures.forEach(f -> System.out.println("  " + f));
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /**
     * N jobs through one worker in two halves; its heap after a full GC once a warm-up has run and once each half
     * has its results: the second half's difference per job is the figure (the first's excess over it is retained
     * once); then the dedup window and a prune interval later, the remembered count and heap again.
     */
    static Map<String, Object> retention(int jobs, Duration window, int metadataBytes, Verdict verdict,
            List<String> failures) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start(0).generationTime(Duration.ZERO)) {
            String bootstrap = broker.bootstrapServers();
            long started = System.nanoTime();
            // Fixed 250 ms polling: with an instant provider the adaptive policy would wait out the docs' prior.
            Process worker = EndToEndBenchmark.startWorker(broker, simulator, Map.of(
                    "WORKER_POLLING_STRATEGY", "fixed",
                    "WORKER_POLLING_FIRST_POLL", "250ms",
                    "WORKER_POLLING_INTERVAL", "250ms",
                    "WORKER_TOPICS_DEDUP_WINDOW", window.toSeconds() + "s"), HEAP, OUT.resolve("retention-worker.log"));
            try {
                double readySeconds = secondsToReady(worker, started, Duration.ofMinutes(3));
                out.put("empty_log_ready_s", PolicyBenchmark.round(readySeconds));
                out.put("empty_log_ready_heap_bytes", EndToEndBenchmark.heapAfterGc(worker));
                List<String> warm = EndToEndBenchmark.ids("soak-warm", WARM_UP_JOBS);
                produce(bootstrap, warm, metadataBytes);
                EndToEndBenchmark.awaitResults(bootstrap, warm, Duration.ofMinutes(5));
                settle(bootstrap, metadataBytes);
                long before = EndToEndBenchmark.heapAfterGc(worker);
                Map<String, long[]> histogramBefore = histogram(worker, "retention-before");
                double rememberedBefore = EndToEndBenchmark.metric(REMEMBERED);

                // Two equal halves, the heap read after each: what a finished job costs is the slope over the
                // second half. The first fills what a burst sizes once and keeps (each Kafka producer's pool keeps
                // every 16 KB batch buffer it freed, up to buffer.memory, for its life: 3 to 4.5 MB over the seven
                // producers after a burst whatever the job count; hash tables sized by the peak in flight), which
                // an average over the whole run would divide by N and report as a cost per job.
                List<String> ids = EndToEndBenchmark.ids("soak", jobs);
                List<String> first = ids.subList(0, jobs / 2);
                List<String> second = ids.subList(jobs / 2, jobs);
                long start = System.nanoTime();
                double runSeconds = run(bootstrap, first, metadataBytes);
                settle(bootstrap, metadataBytes);
                long mid = EndToEndBenchmark.heapAfterGc(worker);
                Map<String, long[]> histogramMid = histogram(worker, "retention-mid");
                runSeconds += run(bootstrap, second, metadataBytes);
                RunOutcome outcome;
                try (WorkerTopics topics = new WorkerTopics(bootstrap)) {
                    outcome = RunOutcome.of(ids, topics.committedResults(ids, Duration.ofSeconds(30)), simulator);
                }
                verdict.jobs("retention", outcome);
                awaitIdle();
                long atLastResult = EndToEndBenchmark.heapAfterGc(worker);
                long heldRequests = count(histogram(worker, "retention-last-result"), INTAKE_RECORD)
                        - count(histogramMid, INTAKE_RECORD);
                settle(bootstrap, metadataBytes);
                long after = EndToEndBenchmark.heapAfterGc(worker);
                double sinceFirstJob = (System.nanoTime() - start) / 1e9;
                Map<String, long[]> histogramAfter = histogram(worker, "retention-after");
                double remembered = EndToEndBenchmark.metric(REMEMBERED);
                // Each half ends on its settling job: one more finished job remembered. The producers' pools go on
                // growing in the second half (their size is the largest burst so far, up to buffer.memory each:
                // 0.9 MB of 10,000 jobs' growth in one run): the figure includes that growth, as it includes
                // everything ("all included"); the same net of it is shown beside it, for what the worker itself
                // keeps of a job. Over a long enough second half the pools reach their largest burst and add nothing.
                long poolFirst = pooledBatchBytes(histogramBefore, histogramMid);
                long poolSecond = pooledBatchBytes(histogramMid, histogramAfter);
                // The histograms' live bytes rather than GC.heap_info's "used", which counts regions' unused tails
                // too: a few hundred KB either way from one reading to the next, tens of bytes a job here.
                long liveBefore = live(histogramBefore);
                long liveMid = live(histogramMid);
                long liveAfter = live(histogramAfter);
                double perJob = (double) (liveAfter - liveMid) / (second.size() + 1);
                double perJobNet = (double) (liveAfter - liveMid - poolSecond) / (second.size() + 1);
                double perJobWholeRun = (double) (liveAfter - liveBefore) / (jobs + 2);
                double perJobAtLastResult = (double) (atLastResult - mid) / second.size();
                long fixed = Math.round((liveMid - liveBefore) - perJobNet * (first.size() + 1));

                System.out.printf("SOAK run jobs=%d completed=%d failed=%d duplicate_results=%d double_submissions=%d"
                        + " seconds=%.1f jobs_per_s=%.0f metadata_bytes=%d%n", jobs, outcome.completed(),
                        outcome.failed(), outcome.duplicateResults(), outcome.doubleSubmissions(), runSeconds,
                        jobs / runSeconds, metadata("x", 0, metadataBytes).toString().length());
                System.out.printf("SOAK retained_bytes_per_finished_job=%.1f net_of_producer_pools=%.1f"
                        + " heap_mid_mb=%.1f heap_after_mb=%.1f (second half of %d jobs, live bytes after full GC,"
                        + " all included, of which %.1f MB producer pool growth; target <= %d)%n", perJob, perJobNet,
                        mid / 1e6, after / 1e6, second.size(), poolSecond / 1e6, TARGET_BYTES_PER_JOB);
                System.out.printf("SOAK retained_once fixed_mb=%.1f producer_pool_mb=%.1f whole_run_bytes_per_job=%.1f"
                        + " heap_before_mb=%.1f (sized by the burst, not per job; pools over the whole run)%n",
                        fixed / 1e6, (poolFirst + poolSecond) / 1e6, perJobWholeRun, before / 1e6);
                System.out.printf("SOAK retained_at_last_result bytes_per_job=%.1f heap_mb=%.1f intake_records_held=%d"
                        + " (second half, before the settling request)%n", perJobAtLastResult, atLastResult / 1e6,
                        heldRequests);
                System.out.printf("SOAK jobs_remembered=%.0f (before the run %.0f, dedup window %d s)%n", remembered,
                        rememberedBefore, window.toSeconds());
                printGrowth(histogramMid, histogramAfter, second.size());
                if (perJob > TARGET_BYTES_PER_JOB) {
                    failures.add(String.format("retention: %.1f bytes retained per finished job, over %d", perJob,
                            TARGET_BYTES_PER_JOB));
                }
                if (remembered < rememberedBefore + jobs) {
                    failures.add(String.format("retention: only %.0f of %.0f finished jobs remembered when the heap"
                            + " was read %.0f s after the first: the dedup window (%d s) must outlast the run,"
                            + " raise -Dsoak.dedup-window-s", remembered, rememberedBefore + jobs, sinceFirstJob,
                            window.toSeconds()));
                }

                long waitStart = System.nanoTime();
                try {
                    Awaitility.await("finished jobs pruned").atMost(window.plus(PRUNE_EVERY.multipliedBy(2)))
                            .pollInterval(Duration.ofSeconds(5))
                            .until(() -> EndToEndBenchmark.metric(REMEMBERED) == 0);
                } catch (ConditionTimeoutException e) {
                    // Reported below: the count that is left is the figure.
                }
                double waited = (System.nanoTime() - waitStart) / 1e9;
                long pruned = EndToEndBenchmark.heapAfterGc(worker);
                double rememberedPruned = EndToEndBenchmark.metric(REMEMBERED);
                // What pruning gave back per job forgotten: the part of the retained heap that is the dedup entry;
                // the rest stays (buffers and tables sized by the run's peak, meters), whatever the job count.
                double freedPerJob = (after - pruned) / Math.max(1, remembered - rememberedPruned);
                System.out.printf("SOAK pruning jobs_remembered=%.0f heap_mb=%.1f freed_bytes_per_forgotten_job=%.1f"
                        + " (was %.0f and %.1f MB; %.0f s later, window %d s + prune every %d s)%n", rememberedPruned,
                        pruned / 1e6, freedPerJob, remembered, after / 1e6, waited, window.toSeconds(),
                        PRUNE_EVERY.toSeconds());
                if (rememberedPruned >= remembered) {
                    failures.add(String.format("pruning: %.0f jobs still remembered %.0f s after the run, was %.0f",
                            rememberedPruned, waited, remembered));
                }

                out.put("jobs", jobs);
                out.put("completed", outcome.completed());
                out.put("failed", outcome.failed());
                out.put("run_s", PolicyBenchmark.round(runSeconds));
                out.put("dedup_window_s", window.toSeconds());
                out.put("heap_before_bytes", before);
                out.put("heap_mid_bytes", mid);
                out.put("heap_after_bytes", after);
                out.put("retained_once_bytes", fixed);
                out.put("producer_pool_growth_first_half_bytes", poolFirst);
                out.put("producer_pool_growth_second_half_bytes", poolSecond);
                out.put("retained_bytes_per_job_net_of_producer_pools", PolicyBenchmark.round(perJobNet));
                out.put("retained_bytes_per_job_whole_run", PolicyBenchmark.round(perJobWholeRun));
                out.put("heap_at_last_result_bytes", atLastResult);
                out.put("retained_bytes_per_job_at_last_result", PolicyBenchmark.round(perJobAtLastResult));
                out.put("intake_records_held_at_last_result", heldRequests);
                out.put("retained_bytes_per_finished_job", PolicyBenchmark.round(perJob));
                out.put("jobs_remembered", (long) remembered);
                out.put("jobs_remembered_after_prune", (long) rememberedPruned);
                out.put("heap_after_prune_bytes", pruned);
                out.put("freed_bytes_per_forgotten_job", PolicyBenchmark.round(freedPerJob));
            } finally {
                stop(worker);
            }
        }
        return out;
    }

    /**
     * A job log of {@code records} records on one partition (finished jobs, four records each, written with the
     * worker's own record format), then a worker started on it: seconds from its start to readiness, records/s, and
     * its heap after a full GC once ready.
     *
     * @param before the retention part's figures, when it ran: its start on an empty log is the start-up cost
     */
    static Map<String, Object> replay(int records, int metadataBytes, Map<String, Object> before,
            List<String> failures) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        int jobs = records / JobLogFiller.RECORDS_PER_JOB;
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start(0).generationTime(Duration.ZERO)) {
            String bootstrap = broker.bootstrapServers();
            JobLogFiller.createTopics(bootstrap);
            long fillStart = System.nanoTime();
            String run = UUID.randomUUID().toString().substring(0, 8);
            long written = JobLogFiller.fill(bootstrap, "replay-" + run, jobs,
                    i -> metadata("replay-" + run + "-" + i, i, metadataBytes));
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            long started = System.nanoTime();
            Process worker = EndToEndBenchmark.startWorker(broker, simulator, Map.of(
                    "WORKER_TOPICS_PARTITIONS", "1",
                    "QUARKUS_LOG_CATEGORY__IO_GENWORKER__LEVEL", "INFO"), HEAP, OUT.resolve("replay-worker.log"));
            try {
                double ready = secondsToReady(worker, started, Duration.ofMinutes(30));
                long heap = EndToEndBenchmark.heapAfterGc(worker);
                histogram(worker, "replay-ready");
                double remembered = EndToEndBenchmark.metric(REMEMBERED);
                double perSecond = written / ready;
                Object emptyReady = before.get("empty_log_ready_s");
                Object readyHeap = before.get("empty_log_ready_heap_bytes");
                String net = "";
                out.put("replay_records", written);
                out.put("replay_jobs", jobs);
                out.put("replay_fill_s", PolicyBenchmark.round(fillSeconds));
                out.put("replay_ready_s", PolicyBenchmark.round(ready));
                out.put("replay_records_per_s", Math.round(perSecond));
                if (emptyReady instanceof Double empty && ready > empty) {
                    long netPerSecond = Math.round(written / (ready - empty));
                    out.put("replay_records_per_s_net_of_start", netPerSecond);
                    net = String.format(" net_of_empty_start=%d/s (empty log ready in %.1f s)", netPerSecond, empty);
                }
                double replaySeconds = replaySeconds(OUT.resolve("replay-worker.log"));
                out.put("replay_assigned_to_replayed_s", PolicyBenchmark.round(replaySeconds));
                out.put("replay_records_per_s_while_replaying", Math.round(written / replaySeconds));
                System.out.printf("SOAK replay records=%d jobs=%d ready_s=%.1f records_per_s=%.0f%s; replaying alone"
                        + " %.1f s, %.0f records/s (log written in %.1f s)%n", written, jobs, ready, perSecond, net,
                        replaySeconds, written / replaySeconds, fillSeconds);
                String perJob = "";
                out.put("replay_heap_ready_bytes", heap);
                out.put("replay_jobs_remembered", (long) remembered);
                if (readyHeap instanceof Long empty) {
                    double bytes = (double) (heap - empty) / jobs;
                    out.put("replay_heap_bytes_per_remembered_job", PolicyBenchmark.round(bytes));
                    perJob = String.format(" bytes_per_remembered_job=%.1f (over a worker just ready on an empty"
                            + " log, %.1f MB)", bytes, empty / 1e6);
                }
                System.out.printf("SOAK replay_heap heap_ready_mb=%.1f jobs_remembered=%.0f%s%n", heap / 1e6,
                        remembered, perJob);
                if (remembered < jobs) {
                    failures.add(String.format("replay: %.0f of %d finished jobs remembered after the replay",
                            remembered, jobs));
                }
            } finally {
                stop(worker);
            }
        }
        return out;
    }

    /**
     * A request's metadata as an upstream service would send it, about {@code bytes} long as JSON: ids, a callback
     * URL, tags and a free-text note, unique per job so that nothing is shared between jobs.
     */
    static ObjectNode metadata(String jobId, int index, int bytes) {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        String unique = UUID.nameUUIDFromBytes(jobId.getBytes(StandardCharsets.UTF_8)).toString();
        metadata.put("tenant", "acme-studios").put("userId", "user-" + unique.substring(0, 13))
                .put("projectId", "prj-" + index % 977).put("requestId", unique)
                .put("callbackUrl", "https://hooks.acme-studios.example/v1/generations/" + unique + "/done")
                .put("locale", "en-GB").put("source", "web-editor/4.18.2").put("priority", "standard");
        metadata.putArray("tags").add("marketing").add("social").add("vertical-video").add("ab-test-" + index % 7);
        metadata.putObject("client").put("app", "studio-web").put("sessionId", unique.substring(19))
                .put("ip", "203.0.113." + index % 250);
        String note = "Spring campaign teaser, variant " + index + ": product close-up, warm light, slow dolly in. ";
        int room = bytes - metadata.toString().length() - "\"notes\":\"\",".length();
        metadata.put("notes", note.repeat(Math.max(1, room / note.length() + 1)).substring(0, Math.max(0, room)));
        return metadata;
    }

    /** Requests of the three AI/ML API models, each with its own metadata of about {@code metadataBytes}. */
    private static void produce(String bootstrap, List<String> ids, int metadataBytes) {
        EndToEndBenchmark.produce(bootstrap, ids, (id, i) -> {
            ObjectNode request = Requests.anyModel(id, i);
            request.set("metadata", metadata(id, i, metadataBytes));
            return request;
        });
    }

    /**
     * One more request, through to its result, before the heap is read. The intake keeps its last batch of
     * requests reachable (each with its JSON tree, job-log record and producer record, a few KB) until the next batch
     * replaces it: up to max.poll.records (1000) requests whatever the run's length, so a constant, not a cost per
     * finished job. Ending both readings on a batch of one request keeps that constant out of the difference;
     * the reading before it is printed too.
     */
    private static void settle(String bootstrap, int metadataBytes) {
        List<String> one = EndToEndBenchmark.ids("soak-settle", 1);
        produce(bootstrap, one, metadataBytes);
        EndToEndBenchmark.awaitResults(bootstrap, one, Duration.ofMinutes(2));
        awaitIdle();
    }

    /** Half the jobs through to their results: seconds from the first request to the last result. */
    private static double run(String bootstrap, List<String> ids, int metadataBytes) {
        long start = System.nanoTime();
        produce(bootstrap, ids, metadataBytes);
        EndToEndBenchmark.awaitResults(bootstrap, ids, Duration.ofMinutes(60));
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Batch buffers the Kafka producers' pools took on between two histograms, about: every pooled buffer is a
     * {@code HeapByteBuffer} over a {@code byte[]} of batch.size (16 KB), and the worker keeps no other heap buffers
     * that grow with a run.
     */
    private static long pooledBatchBytes(Map<String, long[]> before, Map<String, long[]> after) {
        return (count(after, HEAP_BUFFER) - count(before, HEAP_BUFFER)) * (BATCH_BYTES + 16);
    }

    /** The live bytes a histogram counted. */
    private static long live(Map<String, long[]> histogram) {
        long[] total = histogram.get(TOTAL);
        if (total == null) {
            throw new IllegalStateException("a class histogram without its Total line");
        }
        return total[1];
    }

    private static long count(Map<String, long[]> histogram, String className) {
        return histogram.getOrDefault(className, new long[2])[0];
    }

    /** Until nothing is in flight: a finished job's last transitions are applied a moment after its result. */
    private static void awaitIdle() {
        Awaitility.await("no job in flight").atMost(Duration.ofMinutes(2)).pollDelay(Duration.ofSeconds(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> EndToEndBenchmark.metric("genworker_jobs_in_flight") == 0);
    }

    /** Seconds from {@code startedNanos} until the worker answers its readiness check with 200. */
    private static double secondsToReady(Process worker, long startedNanos, Duration atMost) {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://localhost:" + EndToEndBenchmark.HTTP_PORT + "/q/health/ready");
        Awaitility.await("worker ready").atMost(atMost).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!worker.isAlive()) {
                        throw new IllegalStateException("the worker exited with " + worker.exitValue());
                    }
                    return http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200;
                });
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * The replay alone, from the worker's log: from the partition's assignment ("assigned ...: replaying to") to the
     * end of its replay ("replayed ..."), without the JVM's start and the group join; NaN when either is missing.
     */
    private static double replaySeconds(Path log) throws IOException {
        String text = Files.readString(log);
        Matcher assigned = Pattern.compile("(?m)^(\\S+ \\S+) .*assigned \\[.*replaying to").matcher(text);
        Matcher replayed = Pattern.compile("(?m)^(\\S+ \\S+) .*replayed generation\\.jobs-").matcher(text);
        if (!assigned.find() || !replayed.find()) {
            return Double.NaN;
        }
        return Duration.between(LOG_TIME.parse(assigned.group(1), LocalDateTime::from),
                LOG_TIME.parse(replayed.group(1), LocalDateTime::from)).toMillis() / 1e3;
    }

    /** The worker's class histogram (after a full GC), written to target/soak/histogram-{name}.txt; by class. */
    private static Map<String, long[]> histogram(Process worker, String name) throws Exception {
        String text = EndToEndBenchmark.jcmd(worker, "GC.class_histogram");
        Files.writeString(OUT.resolve("histogram-" + name + ".txt"), text);
        if (Boolean.getBoolean("soak.heap-dump")) {
            // Live objects only: what retains the growth is read from the dumps (docs/testing.md#soak).
            Path dump = OUT.resolve("heap-" + name + ".hprof").toAbsolutePath();
            Files.deleteIfExists(dump);
            EndToEndBenchmark.jcmd(worker, "GC.heap_dump " + dump);
        }
        Map<String, long[]> byClass = new HashMap<>();
        Matcher m = HISTOGRAM_ROW.matcher(text);
        while (m.find()) {
            byClass.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        Matcher total = HISTOGRAM_TOTAL.matcher(text);
        if (total.find()) {
            byClass.put(TOTAL, new long[] {Long.parseLong(total.group(1)), Long.parseLong(total.group(2))});
        }
        return byClass;
    }

    /** Where the retained heap went: the classes that grew most between the two histograms. */
    private static void printGrowth(Map<String, long[]> before, Map<String, long[]> after, int jobs) {
        System.out.printf("  %-60s %12s %12s %10s%n", "heap growth by class", "instances", "bytes", "bytes/job");
        after.entrySet().stream().filter(e -> !e.getKey().equals(TOTAL))
                .map(e -> Map.entry(e.getKey(), new long[] {
                        e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0],
                        e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]}))
                .sorted(Comparator.comparingLong(e -> -e.getValue()[1]))
                .limit(12)
                .forEach(e -> System.out.printf("  %-60s %12d %12d %10.1f%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1], (double) e.getValue()[1] / jobs));
    }

    private static void stop(Process worker) throws InterruptedException {
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
            worker.destroyForcibly();
        }
    }
}
