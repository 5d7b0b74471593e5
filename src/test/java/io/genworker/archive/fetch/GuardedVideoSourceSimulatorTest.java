package io.genworker.archive.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.genworker.support.ProviderSimulator;
import io.genworker.support.SimulatedVideos;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * GuardedVideoSource against the provider simulator's video URLs, with the default (JDK) resolver and the loopback
 * exemption the tests run under: a 50 MB video streamed and checked, a download cut mid-body, expired URLs.
 */
class GuardedVideoSourceSimulatorTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final long FIFTY_MB = 50L * 1024 * 1024;

    private Vertx vertx;
    private ProviderSimulator simulator;
    private GuardedVideoSource source;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        simulator = ProviderSimulator.start();
        source = new GuardedVideoSource(vertx, TestFetchConfig.loopbackExempt().withMaxBytes(200L << 20),
                new SystemHostResolver(vertx));
    }

    @AfterEach
    void stop() {
        source.close();
        simulator.close();
        vertx.closeAndAwait();
    }

    @Test
    void aFiftyMegabyteVideoStreamsWithItsChecksum() throws Exception {
        simulator.videoSize("job-50mb", FIFTY_MB);
        String url = simulator.publishVideo("segmind", "job-50mb");

        VideoStream stream = source.open(url, "segmind").await().atMost(WAIT);

        assertThat(stream.announcedLength()).isEqualTo(FIFTY_MB);
        assertThat(stream.contentType()).isEqualTo(SimulatedVideos.CONTENT_TYPE);
        SimulatedVideos.Video video = simulator.videoOf("job-50mb").orElseThrow();
        assertThat(GuardedVideoSourceTest.sha256(stream)).isEqualTo(video.sha256())
                .isEqualTo(SimulatedVideos.sha256(SimulatedVideos.seedOf("job-50mb"), FIFTY_MB));
    }

    @Test
    void aDownloadCutMidBodyFailsRetryableAndTheNextAttemptSucceeds() throws Exception {
        simulator.videoSize("job-cut", 1_000_000).cutVideoDownloads("job-cut", 1, 300_000);
        String url = simulator.publishVideo("aimlapi", "job-cut");

        VideoStream first = source.open(url, "aimlapi").await().atMost(WAIT);
        VideoFetchException cut = catchThrowableOfType(() -> GuardedVideoSourceTest.sha256(first),
                VideoFetchException.class);

        assertThat(cut.reason()).isEqualTo(VideoFetchException.Reason.INTERRUPTED);
        assertThat(cut.retryable()).isTrue();
        assertThat(cut.getMessage()).contains("of 1000000 bytes").doesNotContain(ProviderSimulator.VIDEO_SIGNATURE);
        VideoStream second = source.open(url, "aimlapi").await().atMost(WAIT);
        assertThat(GuardedVideoSourceTest.sha256(second)).isEqualTo(simulator.videoOf("job-cut").orElseThrow()
                .sha256());
        assertThat(simulator.videoDownloadsOf("job-cut")).isEqualTo(2);
    }

    @Test
    void expiredUrlsFailExpiredAsEachProviderAnswers() {
        String segmind = simulator.publishVideo("segmind", "job-expired-segmind");
        String aimlapi = simulator.publishVideo("aimlapi", "job-expired-aimlapi");
        simulator.videoRetention(Duration.ZERO);

        VideoFetchException gone = catchThrowableOfType(() -> source.open(segmind, "segmind").await().atMost(WAIT),
                VideoFetchException.class);
        VideoFetchException denied = catchThrowableOfType(() -> source.open(aimlapi, "aimlapi").await().atMost(WAIT),
                VideoFetchException.class);

        assertThat(gone.reason()).isEqualTo(VideoFetchException.Reason.EXPIRED);
        assertThat(gone.getMessage()).contains("HTTP 404");
        assertThat(denied.reason()).isEqualTo(VideoFetchException.Reason.EXPIRED);
        assertThat(denied.retryable()).isFalse();
        assertThat(denied.getMessage()).contains("HTTP 403").doesNotContain(ProviderSimulator.VIDEO_SIGNATURE);
    }

    @Test
    void aVideoSlowerThanTheIdleTimeoutTimesOutRetryable() {
        simulator.videoSize("job-slow", 200_000).slowVideo("job-slow", Duration.ofSeconds(2));
        String url = simulator.publishVideo("segmind", "job-slow");
        GuardedVideoSource impatient = new GuardedVideoSource(vertx, TestFetchConfig.loopbackExempt()
                .withIdleTimeout(Duration.ofMillis(300)), new SystemHostResolver(vertx));

        VideoFetchException timedOut = catchThrowableOfType(() -> GuardedVideoSourceTest.sha256(
                impatient.open(url, "segmind").await().atMost(WAIT)), VideoFetchException.class);

        assertThat(timedOut.reason()).isEqualTo(VideoFetchException.Reason.TIMEOUT);
        assertThat(timedOut.retryable()).isTrue();
        impatient.close();
    }

    @Test
    void aSlowVideoWithinTheIdleTimeoutArrivesWhole() throws Exception {
        simulator.videoSize("job-steady", 300_000).slowVideo("job-steady", Duration.ofMillis(20));
        String url = simulator.publishVideo("segmind", "job-steady");

        VideoStream stream = source.open(url, "segmind").await().atMost(WAIT);

        assertThat(GuardedVideoSourceTest.sha256(stream)).isEqualTo(simulator.videoOf("job-steady").orElseThrow()
                .sha256());
    }

    @Test
    void finishedGenerationsOfBothProvidersNameVideosTheSimulatorServes() throws Exception {
        simulator.serveVideos().generationTime(Duration.ofMillis(200)).videoSize("job-served", 150_000);
        HttpClient http = HttpClient.newHttpClient();
        String segmindId = new JsonObject(call(http, "POST", "/v2/pixverse-5-transition", new JsonObject()
                .put("prompt", "job-served segmind").put("duration", 5).put("motion_mode", "normal")
                .put("quality", "540p"))).getString("request_id");
        String segmindOutput = awaitField(http, "/v2/requests/" + segmindId, "output");
        // both AI/ML API styles: the signed URL with file_size, and the percent-encoded path
        for (int style = 0; style < 2; style++) {
            String id = new JsonObject(call(http, "POST", "/v2/video/generations", new JsonObject()
                    .put("model", "pixverse/v5/text-to-video").put("prompt", "job-served aimlapi " + style)))
                    .getString("id");
            String url = awaitField(http, "/v2/video/generations?generation_id="
                    + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8), "video");
            String videoUrl = new JsonObject(url).getString("url");
            VideoStream stream = source.open(videoUrl, "aimlapi").await().atMost(WAIT);
            assertThat(GuardedVideoSourceTest.sha256(stream)).isEqualTo(simulator.videoOf("job-served aimlapi "
                    + style).orElseThrow().sha256());
            if (style == 0) {
                assertThat(videoUrl).contains(ProviderSimulator.VIDEO_SIGNATURE);
                assertThat(new JsonObject(url).getLong("file_size")).isEqualTo(150_000L);
            } else {
                assertThat(videoUrl).contains("%2F");
            }
        }

        VideoStream stream = source.open(segmindOutput, "segmind").await().atMost(WAIT);

        assertThat(stream.announcedLength()).isEqualTo(150_000);
        assertThat(GuardedVideoSourceTest.sha256(stream)).isEqualTo(simulator.videoOf("job-served segmind")
                .orElseThrow().sha256());
        assertThat(simulator.videoRequests()).hasSize(3);
    }

    private String call(HttpClient http, String method, String path, JsonObject body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("x-api-key", ProviderSimulator.SEGMIND_KEY)
                .header("Authorization", "Bearer " + ProviderSimulator.AIMLAPI_KEY)
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.encode()));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Polls until the answer has this field, and returns the field as text (a JSON object encoded). */
    private String awaitField(HttpClient http, String path, String field) {
        AtomicReference<String> value = new AtomicReference<>();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            Object found = new JsonObject(call(http, "GET", path, null)).getValue(field);
            value.set(found == null ? null : found instanceof JsonObject json ? json.encode() : found.toString());
            return found != null;
        });
        return value.get();
    }
}
