package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.config.WorkerConfig;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.S3ProxyResource;
import io.genworker.support.S3ProxyServer;
import io.genworker.support.SimulatedVideos;
import io.genworker.support.WorkerTopics;
import io.quarkus.arc.ClientProxy;
import io.smallrye.mutiny.Multi;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Finished videos of both providers copied into a real S3 API server (s3proxy on disk) through a real broker, from
 * the simulator's real bytes: what the result says, what lies in the bucket, and how interrupted downloads, expired
 * URLs and storage down end.
 */
@QuarkusTest
@TestProfile(ArchiveProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ArchiveFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long FIFTY_MB = 50L * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WorkerTopics topics;

    @TestHTTPResource("/q/health/ready")
    URL readinessUrl;
    @Inject
    ObjectStore store;
    @Inject
    WorkerConfig config;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
        simulator().serveVideos();
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    @Test
    void eachProvidersVideoIsStoredOnceWithTheChecksumAndSizeTheResultGives() throws Exception {
        String aimlapi = "archive-aimlapi-" + UUID.randomUUID();
        String segmind = "archive-segmind-" + UUID.randomUUID();
        Map<String, JsonNode> results = send(Map.of(aimlapi, Requests.textToVideo(aimlapi),
                segmind, Requests.segmindTransition(segmind)));

        for (String id : List.of(aimlapi, segmind)) {
            JsonNode result = results.get(id);
            SimulatedVideos.Video served = simulator().videoOf(Requests.prompt(id)).orElseThrow();
            JsonNode archive = result.path("video").path("archive");
            assertThat(result.path("status").asText()).as(id).isEqualTo("COMPLETED");
            assertThat(result.path("video").path("url").asText()).as("the provider's URL is kept")
                    .contains("/videos/");
            assertThat(archive.path("bucket").asText()).isEqualTo(S3ProxyResource.BUCKET);
            assertThat(archive.path("key").asText()).startsWith("videos/" + id + "/");
            assertThat(archive.path("sha256").asText()).isEqualTo(served.sha256());
            assertThat(archive.path("size").asLong()).isEqualTo(served.size());
            Path stored = s3().objectFile(S3ProxyResource.BUCKET, archive.path("key").asText());
            assertThat(Files.size(stored)).isEqualTo(served.size());
            assertThat(sha256(Files.newInputStream(stored))).isEqualTo(served.sha256());
            assertThat(download(archive.path("url").asText())).as("the presigned URL serves the copy")
                    .isEqualTo(served.sha256());
            assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
            assertThat(simulator().videoDownloadsOf(Requests.prompt(id))).isEqualTo(1);
        }
    }

    @Test
    void aFiftyMegabyteVideoIsStreamedIntoTheBucket() throws Exception {
        String id = "archive-50mb-" + UUID.randomUUID();
        simulator().videoSize(Requests.prompt(id), FIFTY_MB);

        long started = System.nanoTime();
        JsonNode result = send(Map.of(id, Requests.segmindTransition(id))).get(id);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        S3ObjectStore s3Store = (S3ObjectStore) ClientProxy.unwrap(store);
        long bound = (long) config.archive().maxTransfers() * (config.archive().partSize() + 64 * 1024);
        System.out.printf("50 MB video: request to result %d ms; peak body bytes held by the store %,d (bound:"
                + " max-transfers x (part-size + one 64 KiB buffer) = %,d)%n", tookMs, s3Store.peakBytesHeld(), bound);
        assertThat(s3Store.peakBytesHeld()).isLessThanOrEqualTo(bound);
        String expected = simulator().videoOf(Requests.prompt(id)).orElseThrow().sha256();
        assertThat(result.path("video").path("archive").path("size").asLong()).isEqualTo(FIFTY_MB);
        assertThat(result.path("video").path("archive").path("sha256").asText()).isEqualTo(expected);
        Path stored = s3().objectFile(S3ProxyResource.BUCKET, result.path("video").path("archive").path("key")
                .asText());
        assertThat(Files.size(stored)).isEqualTo(FIFTY_MB);
    }

    /**
     * The clip a browser plays (what the console's player is tested with) keeps its video/webm in the bucket, whether
     * the provider's answer names the type (the AI/ML API's video object) or only the download does (Segmind, the
     * AI/ML API's older shape), and its checks use the clip's own size and checksum.
     */
    @Test
    void aPlayableClipIsStoredAsVideoWebm() {
        List<String> ids = List.of("archive-webm-" + UUID.randomUUID(), "archive-webm-" + UUID.randomUUID(),
                "archive-webm-" + UUID.randomUUID());
        Map<String, JsonNode> results = send(Map.of(ids.get(0), playable(Requests.textToVideo(ids.get(0))),
                ids.get(1), playable(Requests.textToVideo(ids.get(1))),
                ids.get(2), playable(Requests.segmindTransition(ids.get(2)))));

        for (String id : ids) {
            SimulatedVideos.Video served = simulator().videoOf(Requests.prompt(id)).orElseThrow();
            JsonNode archive = results.get(id).path("video").path("archive");
            assertThat(served.playable()).as(id).isTrue();
            assertThat(archive.path("sha256").asText()).as(id).isEqualTo(served.sha256());
            assertThat(archive.path("size").asLong()).as(id).isEqualTo(served.size());
            assertThat(archive.path("key").asText()).as(id).endsWith(".webm");
            assertThat(store.existing(archive.path("key").asText()).await().atMost(WAIT).contentType()).as(id)
                    .isEqualTo(SimulatedVideos.PLAYABLE_CONTENT_TYPE);
        }
    }

    private static ObjectNode playable(ObjectNode request) {
        ObjectNode input = (ObjectNode) request.path("input");
        input.put("prompt", input.path("prompt").asText() + " " + SimulatedVideos.PLAYABLE_MARKER);
        return request;
    }

    /**
     * A job id used again after the dedup window is another job: an object under its key from the earlier
     * generation is not taken for this one's copy (its metadata names another origin), whatever its size.
     */
    @Test
    void anObjectLeftUnderTheKeyByAnotherGenerationIsNotTakenForThisJobsCopy() {
        // The simulator's AI/ML API alternates its answer's shape: one of two jobs sent together gets file_name
        // output.mp4, the key an earlier generation's object is left under here.
        List<String> ids = List.of("archive-reused-" + UUID.randomUUID(), "archive-reused-" + UUID.randomUUID());
        for (String id : ids) {
            // of the very size the provider will announce: only the origin tells the two videos apart
            simulator().videoSize(Requests.prompt(id), 4096);
            store.put("videos/" + id + "/output.mp4", "video/mp4", 4096, Multi.createFrom().item(
                    io.vertx.mutiny.core.buffer.Buffer.buffer(new byte[4096])), "aimlapi%3Aan-earlier-generation")
                    .await().atMost(WAIT);
            assertThat(store.existing("videos/" + id + "/output.mp4").await().atMost(WAIT).origin())
                    .isEqualTo("aimlapi%3Aan-earlier-generation");
        }

        Map<String, JsonNode> results = send(Map.of(ids.get(0), Requests.textToVideo(ids.get(0)), ids.get(1),
                Requests.textToVideo(ids.get(1))));

        assertThat(ids).as("one job's copy went to the occupied key").anySatisfy(id -> assertThat(
                results.get(id).path("video").path("archive").path("key").asText()).endsWith("/output.mp4"));
        for (String id : ids) {
            SimulatedVideos.Video served = simulator().videoOf(Requests.prompt(id)).orElseThrow();
            assertThat(results.get(id).path("video").path("archive").path("sha256").asText()).as(id)
                    .isEqualTo(served.sha256());
            assertThat(simulator().videoDownloadsOf(Requests.prompt(id))).isEqualTo(1);
        }
    }

    @Test
    void aDownloadCutMidBodyIsTriedAgainAndTheJobCompletes() {
        String id = "archive-cut-" + UUID.randomUUID();
        simulator().videoSize(Requests.prompt(id), 2L * 1024 * 1024).cutVideoDownloads(Requests.prompt(id), 2,
                300_000);

        JsonNode result = send(Map.of(id, Requests.textToVideo(id))).get(id);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.path("video").path("archive").path("sha256").asText())
                .isEqualTo(simulator().videoOf(Requests.prompt(id)).orElseThrow().sha256());
        assertThat(simulator().videoDownloadsOf(Requests.prompt(id))).isEqualTo(3);
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
    }

    @Test
    void anExpiredUrlFailsTheJobWithArchiveFailedAndTheProvidersUrl() {
        String id = "archive-expired-" + UUID.randomUUID();
        simulator().videoRetention(Duration.ZERO);
        try {
            JsonNode result = send(Map.of(id, Requests.segmindTransition(id))).get(id);

            assertThat(result.path("status").asText()).isEqualTo("FAILED");
            assertThat(result.path("error").path("code").asText()).isEqualTo("ARCHIVE_FAILED");
            assertThat(result.path("error").path("message").asText()).contains("EXPIRED");
            assertThat(result.path("video").path("url").asText()).contains("/videos/");
            assertThat(result.path("video").has("archive")).isFalse();
            assertThat(simulator().videoDownloadsOf(Requests.prompt(id))).as("an expired URL is not retried")
                    .isEqualTo(1);
        } finally {
            simulator().videoRetention(SimulatedVideos.DOCUMENTED_RETENTION);
        }
    }

    /**
     * Schemes the worker must never fetch, named by the provider's answer: refused before any connection (no test
     * traffic can leave the machine even if the check were broken: neither scheme is one an HTTP client speaks).
     */
    @Test
    void aHostileVideoUrlInAProvidersAnswerIsRefusedAndTheJobEndsArchiveFailed() {
        String file = "archive-file-" + UUID.randomUUID();
        String ftp = "archive-ftp-" + UUID.randomUUID();
        simulator().hostileVideoUrl(Requests.prompt(file), "file:///etc/passwd")
                .hostileVideoUrl(Requests.prompt(ftp), "ftp://files.example/v.mp4");
        int videoRequests = simulator().videoRequests().size();

        Map<String, JsonNode> results = send(Map.of(file, Requests.textToVideo(file), ftp, Requests.textToVideo(ftp)));

        for (String id : List.of(file, ftp)) {
            JsonNode result = results.get(id);
            assertThat(result.path("status").asText()).as(id).isEqualTo("FAILED");
            assertThat(result.path("error").path("code").asText()).isEqualTo("ARCHIVE_FAILED");
            assertThat(result.path("error").path("message").asText()).contains("REFUSED_URL");
            assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        }
        assertThat(simulator().videoRequests()).hasSize(videoRequests);
    }

    @Test
    void whileStorageIsDownFinishedJobsWaitAndReadinessSaysWhyThenTheyComplete() {
        String id = "archive-down-" + UUID.randomUUID();
        s3().stop();
        try {
            topics.sendAll(Map.of(id, Requests.textToVideo(id).toString()));
            Awaitility.await("readiness names the storage").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .until(() -> readiness().body().contains("storage unreachable"));
            Awaitility.await("the provider finished").atMost(WAIT).until(() -> simulator().videoOf(
                    Requests.prompt(id)).isPresent());
        } finally {
            S3ProxyResource.restart();
        }

        JsonNode result = topics.awaitResults(List.of(id), WAIT).get(id);

        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.path("video").path("archive").path("sha256").asText())
                .isEqualTo(simulator().videoOf(Requests.prompt(id)).orElseThrow().sha256());
        assertThat(simulator().submissionsOf(Requests.prompt(id))).isEqualTo(1);
        Awaitility.await("ready again").atMost(WAIT).until(() -> readiness().statusCode() == 200);
    }

    private static Map<String, JsonNode> send(Map<String, ObjectNode> requests) {
        Map<String, String> values = new java.util.HashMap<>();
        requests.forEach((id, request) -> values.put(id, request.toString()));
        topics.sendAll(values);
        return topics.awaitResults(List.copyOf(requests.keySet()), WAIT);
    }

    private HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(readinessUrl.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    private static S3ProxyServer s3() {
        return S3ProxyResource.server();
    }

    private static String download(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return sha256(response.body());
    }

    private static String sha256(InputStream in) throws IOException {
        try (in) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
