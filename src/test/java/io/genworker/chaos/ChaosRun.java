package io.genworker.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;

/**
 * Two packaged workers as separate JVMs on one broker and one provider simulator; while jobs run, workers are
 * killed with SIGKILL (and once stopped gracefully) at random moments and restarted. At the end every job must have
 * exactly one result and the simulator must have seen at most one submission per job.
 */
public final class ChaosRun {

    /** What a run measured. A job interrupted mid-submit ends SUBMIT_UNCERTAIN with zero or one submission. */
    public record Report(int jobs, int kills, int lost, int doubleSubmissions, int duplicateResults,
            int submitUncertain, int uncertainNeverSubmitted, int completed, int failed, int submissions,
            Duration wallTime) {

        public String table() {
            return String.format("jobs=%d kills=%d lost=%d double_submissions=%d duplicate_results=%d "
                    + "submit_uncertain=%d (never reached the provider: %d) completed=%d failed=%d "
                    + "provider_submissions=%d wall_time_s=%.1f", jobs, kills, lost, doubleSubmissions,
                    duplicateResults, submitUncertain, uncertainNeverSubmitted, completed, failed, submissions,
                    wallTime.toMillis() / 1000.0);
        }
    }

    private final int jobs;
    private final int kills;
    private final Duration generationTime;
    private final Random random;
    private final Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private final Path logs = Path.of("target", "chaos");
    private final HttpClient http = HttpClient.newHttpClient();

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
        System.exit(report.lost() + report.doubleSubmissions() + report.duplicateResults() == 0 ? 0 : 1);
    }

    public Report run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(logs);
        try (KafkaBroker broker = KafkaBroker.startInJvm();
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(generationTime);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers())) {
            Worker[] workers = {new Worker(0, broker, simulator), new Worker(1, broker, simulator)};
            workers[0].start();
            workers[0].awaitReady();
            workers[1].start();
            workers[1].awaitReady();

            Map<String, String> requests = new HashMap<>();
            for (int i = 0; i < jobs; i++) {
                String id = "chaos-" + i + "-" + UUID.randomUUID();
                requests.put(id, Requests.anyModel(id, i).toString());
            }
            topics.sendAll(requests);

            for (int k = 0; k < kills; k++) {
                pause(500 + random.nextInt(2500));
                Worker victim = workers[random.nextInt(2)];
                boolean graceful = k == kills - 1;
                victim.stop(graceful);
                System.out.printf("chaos: %s worker %d (%d/%d)%n", graceful ? "stopped" : "killed", victim.index,
                        k + 1, kills);
                pause(300 + random.nextInt(1500));
                victim.start();
            }
            for (Worker worker : workers) {
                worker.awaitReady();
            }
            Map<String, List<JsonNode>> results = awaitResults(broker.bootstrapServers(), requests.keySet());
            for (Worker worker : workers) {
                worker.stop(true);
            }
            return report(requests.keySet(), results, simulator, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Report report(Set<String> ids, Map<String, List<JsonNode>> results, ProviderSimulator simulator,
            Duration wall) {
        int lost = 0, duplicates = 0, doubles = 0, uncertain = 0, neverSubmitted = 0, completed = 0, failed = 0;
        for (String id : ids) {
            List<JsonNode> mine = results.getOrDefault(id, List.of());
            if (mine.isEmpty()) {
                lost++;
                continue;
            }
            duplicates += mine.size() - 1;
            JsonNode result = mine.get(0);
            if ("COMPLETED".equals(result.path("status").asText())) {
                completed++;
            } else {
                failed++;
                if ("SUBMIT_UNCERTAIN".equals(result.path("error").path("code").asText())) {
                    uncertain++;
                    neverSubmitted += simulator.submissionsOf(Requests.prompt(id)) == 0 ? 1 : 0;
                }
            }
            if (simulator.submissionsOf(Requests.prompt(id)) > 1) {
                doubles++;
            }
        }
        return new Report(ids.size(), kills, lost, doubles, duplicates, uncertain, neverSubmitted, completed, failed,
                simulator.submissions(), wall);
    }

    /** Reads committed results until every job has one, then to the end of the topic to catch duplicates. */
    private Map<String, List<JsonNode>> awaitResults(String bootstrap, Set<String> ids) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<JsonNode>> results = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(WorkerTopics.RESULTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen.size() < ids.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (ids.contains(record.key())) {
                        seen.add(record.key());
                        results.computeIfAbsent(record.key(), k -> new ArrayList<>())
                                .add(WorkerTopics.parse(record.value()));
                    }
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (ids.contains(record.key())) {
                        results.computeIfAbsent(record.key(), k -> new ArrayList<>())
                                .add(WorkerTopics.parse(record.value()));
                    }
                }
            }
        }
        return results;
    }

    /** The chaos itself is timed: random moments between kills. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    private final class Worker {
        final int index;
        final KafkaBroker broker;
        final ProviderSimulator simulator;
        final int port;
        int generation;
        Process process;

        Worker(int index, KafkaBroker broker, ProviderSimulator simulator) throws IOException {
            this.index = index;
            this.broker = broker;
            this.simulator = simulator;
            try (ServerSocket socket = new ServerSocket(0)) {
                this.port = socket.getLocalPort();
            }
        }

        void start() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-jar", jar.toString());
            Map<String, String> env = builder.environment();
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            env.put("AIMLAPI_BASE_URL", simulator.baseUrl());
            env.put("AIMLAPI_API_KEY", ProviderSimulator.AIMLAPI_KEY);
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("WORKER_POLLING_FIRST_POLL", "1s");
            env.put("WORKER_POLLING_INTERVAL", "1s");
            env.put("WORKER_POLLING_BACKOFF_INITIAL", "200ms");
            env.put("WORKER_POLLING_BACKOFF_MAX", "2s");
            Path log = logs.resolve("worker-" + index + "-" + (generation++) + ".log");
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            process = builder.start();
        }

        void awaitReady() {
            URI ready = URI.create("http://localhost:" + port + "/q/health/ready");
            Awaitility.await("worker " + index + " ready").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> http.send(HttpRequest.newBuilder(ready).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        }

        /** SIGKILL, or SIGTERM and wait for a clean exit. */
        void stop(boolean graceful) throws InterruptedException {
            if (graceful) {
                process.destroy();
                process.waitFor();
            } else {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
