package io.genworker.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

import io.genworker.api.ApiCredentials;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The worker on a fresh machine with no Docker and no provider account: starts a KRaft broker and the provider
 * simulator in this JVM, then the packaged worker as a child process pointed at them through the same environment
 * variables a real deployment uses. Optionally sends demo requests and prints their results.
 * <p>
 * System properties: {@code http.port} (worker HTTP port, default 8080), {@code sim.port} (simulator port, default
 * 0 = free), {@code sim.generation-seconds} (simulated generation time, default 20), {@code demo} (requests to send).
 */
public final class EmbeddedStack {

    static final Path STATE = Path.of("target", "embedded");
    /** Where the embedded S3 server keeps its buckets: the archived videos are files under videos/. */
    static final Path STORAGE = STATE.resolve("s3");
    static final String BUCKET = "videos";
    /**
     * The job index's PostgreSQL data. Emptied at each start: the broker is new each run, and the index is a cache of
     * its job log.
     */
    static final Path POSTGRES = STATE.resolve("postgres");
    /** The API's users and their passwords (operator, viewer), generated at the worker's first start. */
    static final Path API_CREDENTIALS = STATE.resolve("api-credentials.properties");

    private EmbeddedStack() {
    }

    private static String password(Path credentials, String user) throws IOException {
        java.util.Properties users = new java.util.Properties();
        try (java.io.Reader in = Files.newBufferedReader(credentials)) {
            users.load(in);
        }
        return users.getProperty(user);
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package first");
        }
        KafkaBroker broker = KafkaBroker.startInJvm();
        // Finished generations name the simulator's own video URLs, which serve real bytes for the archive to copy:
        // a clip a browser plays (video/webm), so that the console's video player shows a video here.
        ProviderSimulator simulator = ProviderSimulator.start(Integer.getInteger("sim.port", 0))
                .generationTime(Duration.ofSeconds(Integer.getInteger("sim.generation-seconds", 20))).serveVideos()
                .servePlayableClips(true);
        Files.createDirectories(STATE);
        Files.writeString(STATE.resolve("bootstrap.servers"), broker.bootstrapServers());
        S3ProxyServer storage = S3ProxyServer.start(STORAGE.toAbsolutePath(), BUCKET);
        deleteTree(POSTGRES);
        EmbeddedPostgres postgres = PostgresResource.start(POSTGRES.toAbsolutePath(), 0);

        Map<String, String> env = new HashMap<>(archivingInto(storage));
        env.putAll(indexingInto(postgres));
        // The HTTP API and the console with their generated users: made here (as the worker would at its first
        // start) so that the banner can name the operator's password. This machine's own terminal, no log: a
        // deployment's worker never prints one.
        ApiCredentials.loadOrCreate(API_CREDENTIALS, new SecureRandom());
        env.put("WORKER_API_BASIC_ENABLED", "true");
        env.put("WORKER_API_CREDENTIALS_FILE", API_CREDENTIALS.toAbsolutePath().toString());
        Process worker = startWorker(jar, broker.bootstrapServers(), simulator.baseUrl(),
                Integer.getInteger("http.port", 8080), env, List.of(), null);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.destroy();
            try {
                worker.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            simulator.close();
            storage.close();
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("stopping the embedded PostgreSQL: " + e.getMessage());
            }
            broker.close();
        }));
        System.out.printf("%n== embedded stack ==%n  kafka      %s (%s)%n  simulator  %s%n  storage    %s (s3proxy;"
                + " archived videos in %s)%n  index      %s (PostgreSQL, data in %s)%n"
                + "  worker     http://localhost:%d (health /q/health, metrics /q/metrics, jobs /v1/jobs)%n"
                + "  api        Basic users operator, viewer; passwords in %s%n"
                + "  console    http://localhost:%d/console (sign in as operator, password %s)%n"
                + "  stop with Ctrl-C%n%n", broker.bootstrapServers(), broker.kind(), simulator.baseUrl(),
                storage.endpoint(), storage.bucketDirectory(BUCKET), postgres.getJdbcUrl("postgres", "postgres"),
                POSTGRES, Integer.getInteger("http.port", 8080), API_CREDENTIALS.toAbsolutePath(),
                Integer.getInteger("http.port", 8080), password(API_CREDENTIALS, "operator"));

        int demo = Integer.getInteger("demo", 0);
        if (demo > 0) {
            awaitReady(Integer.getInteger("http.port", 8080));
            runDemo(broker.bootstrapServers(), demo);
        }
        System.exit(worker.waitFor());
    }

    /**
     * The environment that points a packaged worker's archive at this S3 server, as a deployment would set it
     * (credentials through the AWS SDK's own variables); the simulator's video URLs are plain http on loopback,
     * which only the test-only exemption lets the worker fetch.
     */
    public static Map<String, String> archivingInto(S3ProxyServer storage) {
        return Map.of(
                "WORKER_ARCHIVE_ENABLED", "true",
                "WORKER_ARCHIVE_BUCKET", storage.bucket(),
                "WORKER_ARCHIVE_ENDPOINT_OVERRIDE", storage.endpoint().toString(),
                "WORKER_ARCHIVE_PATH_STYLE", "true",
                "WORKER_ARCHIVE_REGION", storage.region(),
                "WORKER_ARCHIVE_FETCH_ALLOW_LOOPBACK", "true",
                "AWS_ACCESS_KEY_ID", storage.accessKey(),
                "AWS_SECRET_ACCESS_KEY", storage.secretKey());
    }

    /** The environment that turns a packaged worker's job index on, in this PostgreSQL. */
    public static Map<String, String> indexingInto(EmbeddedPostgres postgres) {
        return Map.of(
                "WORKER_INDEX_ENABLED", "true",
                "INDEX_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
                "INDEX_DB_USERNAME", "postgres");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * The packaged worker as a child process, configured through the environment as a deployment would be.
     *
     * @param log where its output goes; null to share this process's console
     */
    public static Process startWorker(Path jar, String bootstrap, String providerUrl, int httpPort,
            Map<String, String> extraEnv, List<String> jvmOptions, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (log == null) {
            builder.inheritIO();
        } else {
            Files.createDirectories(log.toAbsolutePath().getParent());
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("AIMLAPI_BASE_URL", providerUrl);
        env.put("AIMLAPI_API_KEY", ProviderSimulator.AIMLAPI_KEY);
        env.put("SEGMIND_BASE_URL", providerUrl);
        env.put("SEGMIND_API_KEY", ProviderSimulator.SEGMIND_KEY);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.putAll(extraEnv);
        return builder.start();
    }

    /** Waits (up to 2 minutes) until the worker on the port answers its readiness check with 200. */
    public static void awaitReady(int httpPort) {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://localhost:" + httpPort + "/q/health/ready");
        Awaitility.await("worker ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200);
    }

    private static void runDemo(String bootstrap, int count) {
        try (WorkerTopics topics = new WorkerTopics(bootstrap)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = "demo-" + UUID.randomUUID();
                ids.add(id);
                topics.send(id, Requests.anyModel(id, i).toString());
                System.out.println("sent " + id);
            }
            topics.awaitResults(ids, Duration.ofMinutes(10))
                    .forEach((id, result) -> System.out.println("result " + id + " " + result.toPrettyString()));
        }
    }
}
