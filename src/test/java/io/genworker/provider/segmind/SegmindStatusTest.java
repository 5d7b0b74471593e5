package io.genworker.provider.segmind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;
import io.genworker.config.WorkerConfig;
import io.genworker.support.StubWorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.GenerationStatus.Phase;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderFault;
import io.genworker.provider.Submission;
import io.genworker.provider.ProviderExchange.Answer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

class SegmindStatusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V5 = "pixverse-5-transition";
    private static final String V4 = "pixverse-transition";
    private static final String VIDEO = "https://cdn.segmind.test/out/video.mp4";

    private final SegmindProvider provider = new SegmindProvider(null, JSON, new StubWorkerConfig(), null,
            Clock.systemUTC());

    // ---- phase ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "QUEUED, QUEUED",
            "PROCESSING, RUNNING",
            "COMPLETED, COMPLETED",
            "FAILED, FAILED",
            "queued, QUEUED",
            "Processing, RUNNING",
            "completed, COMPLETED",
            "failed, FAILED" })
    void mapsEachDocumentedStateInAnyCase(String status, Phase expected) {
        assertThat(SegmindProvider.phase(status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "RUNNING", "succeeded", "", "CANCELLED", "error" })
    void leavesUndocumentedStatesUnmapped(String status) {
        assertThat(SegmindProvider.phase(status)).isNull();
    }

    // ---- status endpoint ------------------------------------------------------------------------------------

    @Test
    void readsQueuedAndProcessing() {
        GenerationStatus queued = provider.readStatus(ok("{\"request_id\":\"r1\",\"status\":\"QUEUED\"}"));
        GenerationStatus processing = provider.readStatus(ok("{\"request_id\":\"r1\",\"status\":\"PROCESSING\"}"));

        assertThat(queued.phase()).isEqualTo(Phase.QUEUED);
        assertThat(queued.finished()).isFalse();
        assertThat(processing.phase()).isEqualTo(Phase.RUNNING);
        assertThat(processing.rawStatus()).isEqualTo("PROCESSING");
    }

    @Test
    void readsCompletedWithoutAVideoYet() {
        GenerationStatus status = provider.readStatus(ok("{\"status\":\"COMPLETED\"}"));

        assertThat(status.phase()).isEqualTo(Phase.COMPLETED);
        assertThat(status.video()).isNull();
    }

    @Test
    void readsA422AsAFailedGenerationWithTheBodysDetail() {
        GenerationStatus status = provider.readStatus(new Answer(422, null,
                "{\"request_id\":\"r1\",\"status\":\"FAILED\",\"detail\":\"Inference failed: worker crashed\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.finished()).isTrue();
        assertThat(status.errorMessage()).isEqualTo("Inference failed: worker crashed");
        assertThat(status.contentBlocked()).isFalse();
        assertThat(status.video()).isNull();
    }

    @Test
    void readsA422WhoseReasonIsUnderError() {
        GenerationStatus status = provider.readStatus(new Answer(422, null,
                "{\"status\":\"FAILED\",\"error\":\"Validation error: sleep must be positive\","
                        + "\"metrics\":{\"inference_time\":0.008}}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("Validation error: sleep must be positive");
    }

    @Test
    void readsA422WhoseReasonIsAnObject() {
        GenerationStatus status = provider.readStatus(new Answer(422, null,
                "{\"status\":\"FAILED\",\"error\":{\"name\":\"InferenceError\",\"message\":\"out of memory\"}}"));

        assertThat(status.errorMessage()).isEqualTo("InferenceError: out of memory");
    }

    @Test
    void flagsA422ContentBlockAsContentBlocked() {
        GenerationStatus status = provider.readStatus(new Answer(422, null,
                "{\"status\":\"FAILED\",\"detail\":\"Request blocked by RAI policy\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.contentBlocked()).isTrue();
    }

    @Test
    void readsA422WithoutJsonAsAFailureCarryingTheText() {
        GenerationStatus status = provider.readStatus(new Answer(422, null, "  upstream\n failed  "));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("upstream failed");
    }

    @Test
    void readsAnEmpty422AsAFailureWithoutDetail() {
        GenerationStatus status = provider.readStatus(new Answer(422, null, ""));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("generation failed without detail");
        assertThat(status.contentBlocked()).isFalse();
    }

    @Test
    void boundsAHugeFailureDetail() {
        GenerationStatus status = provider.readStatus(new Answer(422, null,
                "{\"status\":\"FAILED\",\"detail\":\"" + "x".repeat(100_000) + "\"}"));

        assertThat(status.errorMessage()).hasSizeLessThan(1100);
    }

    @Test
    void readsA200ThatSaysFailedAsAFailureToo() {
        GenerationStatus status = provider.readStatus(ok("{\"status\":\"failed\",\"error\":\"boom\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("boom");
    }

    @Test
    void treatsA404AsExpired() {
        assertThat(pollFault(new Answer(404, null, "{\"error\":\"not found\"}")).fault())
                .isEqualTo(ProviderFault.EXPIRED);
    }

    @Test
    void treatsA406AsProviderWide() {
        assertThat(pollFault(new Answer(406, null, "{\"error\":\"Insufficient credits\"}")).fault())
                .isEqualTo(ProviderFault.PROVIDER_WIDE);
        assertThat(pollFault(new Answer(401, null, "{\"error\":\"Invalid API key\"}")).fault())
                .isEqualTo(ProviderFault.PROVIDER_WIDE);
    }

    @Test
    void treatsRateLimitsAndServerErrorsAsTransient() {
        ProviderCallException limited = pollFault(new Answer(429, "3", "{\"error\":\"slow down\"}"));

        assertThat(limited.fault().retryablePoll()).isTrue();
        assertThat(limited.rateLimited()).isTrue();
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(pollFault(new Answer(502, null, "")).fault().retryablePoll()).isTrue();
        assertThat(pollFault(new Answer(504, null, "")).fault().retryablePoll()).isTrue();
    }

    @Test
    void treatsAnUndocumentedStatusAsAmbiguous() {
        ProviderCallException e = pollFault(ok("{\"status\":\"TELEPORTING\"}"));

        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(e.getMessage()).contains("TELEPORTING");
    }

    @Test
    void treatsAMissingStatusOrABodyThatIsNotJsonAsAmbiguous() {
        assertThat(pollFault(ok("{\"request_id\":\"r1\"}")).fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(pollFault(ok("<html>oops</html>")).fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(pollFault(ok("[]")).fault()).isEqualTo(ProviderFault.AMBIGUOUS);
    }

    // ---- result endpoint: finding the video URL -------------------------------------------------------------

    @Test
    void findsTheVideoWhenTheOutputIsAUrl() {
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":\"" + VIDEO + "\"}")).isEqualTo(VIDEO);
    }

    @Test
    void findsTheFirstUrlOfAnArrayOfStrings() {
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":[\"not a url\",\"" + VIDEO
                + "\",\"https://cdn.segmind.test/second.mp4\"]}")).isEqualTo(VIDEO);
    }

    @ParameterizedTest
    @ValueSource(strings = { "url", "video", "video_url", "output" })
    void findsTheVideoInAnObjectField(String field) {
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":{\"" + field + "\":\"" + VIDEO + "\"}}"))
                .isEqualTo(VIDEO);
    }

    @Test
    void findsTheVideoInNestedObjectsAndArrays() {
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":{\"video\":{\"url\":\"" + VIDEO + "\"}}}"))
                .isEqualTo(VIDEO);
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":[{\"video_url\":\"" + VIDEO + "\"}]}"))
                .isEqualTo(VIDEO);
    }

    @Test
    void findsTheVideoBesideTheOutputWhenTheOutputHasNone() {
        assertThat(completedUrl("{\"status\":\"COMPLETED\",\"output\":null,\"video_url\":\"" + VIDEO + "\"}"))
                .isEqualTo(VIDEO);
    }

    @Test
    void readsAResultWithoutStatusAsCompleted() {
        assertThat(completedUrl("{\"output\":\"" + VIDEO + "\"}")).isEqualTo(VIDEO);
    }

    @Test
    void takesOnlyHttpUrls() {
        assertThat(SegmindProvider.videoUrl(json("[\"s3://bucket/v.mp4\",\"ftp://host/v.mp4\",\"/relative.mp4\","
                + "\"data:video/mp4;base64,AAAA\",\"HTTP://cdn.segmind.test/v.mp4\"]")))
                .isEqualTo("HTTP://cdn.segmind.test/v.mp4");
        assertThat(SegmindProvider.videoUrl(json("{\"url\":42,\"video\":true}"))).isNull();
        assertThat(SegmindProvider.videoUrl(null)).isNull();
    }

    @Test
    void failsACompletedResultWithoutAVideoUrl() {
        GenerationStatus status = provider.readResult(ok("{\"status\":\"COMPLETED\",\"output\":{\"text\":\"hi\"}}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).contains("without a video URL");
        assertThat(status.contentBlocked()).isFalse();
    }

    @Test
    void readsA422ResultAsAFailedGeneration() {
        GenerationStatus status = provider.readResult(new Answer(422, null,
                "{\"status\":\"FAILED\",\"detail\":\"NSFW content detected\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("NSFW content detected");
        assertThat(status.contentBlocked()).isTrue();
    }

    @Test
    void readsAResultStillProcessingAsRunning() {
        assertThat(provider.readResult(ok("{\"status\":\"PROCESSING\",\"output\":null}")).phase())
                .isEqualTo(Phase.RUNNING);
    }

    @Test
    void treatsAnExpiredResultAsExpired() {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readResult(new Answer(404, null, "{\"error\":\"expired\"}")));

        assertThat(e.fault()).isEqualTo(ProviderFault.EXPIRED);
    }

    // ---- submission -----------------------------------------------------------------------------------------

    @Test
    void readsTheRequestId() {
        Submission submission = provider.readSubmission(json("""
                {"request_id":"3f1e6c9a-8b2d-4e5f-9a1b-2c3d4e5f6a7b","status":"QUEUED",
                 "status_url":"https://api.segmind.test/v2/requests/3f1e6c9a-8b2d-4e5f-9a1b-2c3d4e5f6a7b/status",
                 "response_url":"https://api.segmind.test/v2/requests/3f1e6c9a-8b2d-4e5f-9a1b-2c3d4e5f6a7b"}
                """));

        assertThat(submission.providerJobId()).isEqualTo("3f1e6c9a-8b2d-4e5f-9a1b-2c3d4e5f6a7b");
        assertThat(submission.credits()).isNull();
    }

    @Test
    void keepsTheRequestIdWhateverHostTheUrlsName() {
        Submission submission = provider.readSubmission(json("""
                {"request_id":"r-1","status":"QUEUED",
                 "status_url":"https://evil.example/v2/requests/r-1/status",
                 "response_url":"https://evil.example/v2/requests/r-1"}
                """));

        assertThat(submission.providerJobId()).isEqualTo("r-1");
    }

    @Test
    void treatsASubmissionWithoutRequestIdAsAmbiguous() {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readSubmission(json("{\"status\":\"QUEUED\"}")));

        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(e.getMessage()).contains("request_id");
    }

    @ParameterizedTest
    @ValueSource(strings = { "../../v1/pixverse-transition", "a/b", "a b", "?x=1", "" })
    void refusesARequestIdThatCannotBeOnePathSegment(String id) {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readSubmission(JSON.createObjectNode().put("request_id", id)));

        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
    }

    @Test
    void treatsASubmissionThatFailedAtOnceAsRefused() {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readSubmission(
                        json("{\"request_id\":\"r1\",\"status\":\"FAILED\",\"detail\":\"bad\"}")));

        assertThat(e.fault()).isEqualTo(ProviderFault.JOB_FATAL);
        assertThat(e.getMessage()).contains("bad");
    }

    @ParameterizedTest
    @CsvSource({
            "https://api.segmind.test/v2/requests/r1/status, true",
            "https://API.SEGMIND.TEST:443/v2/requests/r1, true",
            "/v2/requests/r1/status, true",
            "https://api.segmind.test.evil.example/v2/requests/r1, false",
            "http://api.segmind.test/v2/requests/r1, false",
            "https://api.segmind.test:8443/v2/requests/r1, false",
            "https://other.example/v2/requests/r1, false",
            "'https://bad host/x', false" })
    void knowsWhetherANamedUrlIsOnTheConfiguredHost(String url, boolean expected) {
        assertThat(provider.onConfiguredHost(url)).isEqualTo(expected);
    }

    // ---- request body ---------------------------------------------------------------------------------------

    @Test
    void fillsTheDefaultsOfDocumentedRequiredParametersForPixverse5() {
        ObjectNode body = provider.requestBody(job(V5, input().put("prompt", "p")));

        assertThat(body.get("prompt").asText()).isEqualTo("p");
        assertThat(body.get("duration").intValue()).isEqualTo(5);
        assertThat(body.get("motion_mode").asText()).isEqualTo("normal");
        assertThat(body.get("quality").asText()).isEqualTo("540p");
        assertThat(body.has("model")).isFalse();
        assertThat(body.has("seed")).isFalse();
        assertThat(body.has("sound_effect_switch")).isFalse();
    }

    @Test
    void keepsTheValuesARequestGives() {
        ObjectNode given = input().put("prompt", "p").put("duration", 8).put("quality", "720p")
                .put("first_frame_url", "https://example.com/a.png").put("seed", 7);
        given.putNull("motion_mode");

        ObjectNode body = provider.requestBody(job(V5, given));

        assertThat(body.get("duration").intValue()).isEqualTo(8);
        assertThat(body.get("quality").asText()).isEqualTo("720p");
        assertThat(body.get("motion_mode").asText()).isEqualTo("normal");
        assertThat(body.get("seed").intValue()).isEqualTo(7);
        assertThat(body.get("first_frame_url").asText()).isEqualTo("https://example.com/a.png");
    }

    @Test
    void sendsTheV4InputUnchanged() {
        ObjectNode given = input().put("prompt", "p").put("duration", 5).put("quality", "360p")
                .put("motion_mode", "fast").put("first_frame_url", "https://example.com/a.png")
                .put("last_frame_url", "https://example.com/b.png");

        assertThat(provider.requestBody(job(V4, given))).isEqualTo(given);
    }

    @Test
    void fillsExactlyTheCatalogueDefaultsOfParametersTheCatalogueMakesOptional() {
        ModelCatalogue catalogue = ModelCatalogue.fromClasspath(JSON);
        SegmindProvider.REQUIRED_DEFAULTS.forEach((model, defaults) -> {
            ModelSpec spec = catalogue.find(model, SegmindProvider.ID).orElseThrow();
            defaults.forEach((field, value) -> {
                ParameterSpec param = spec.parameters().get(field);
                assertThat(param).as(model + " " + field).isNotNull();
                assertThat(param.required()).as(model + " " + field).isFalse();
                assertThat(param.defaultValue()).as(model + " " + field).isEqualTo(value);
            });
        });
        assertThat(SegmindProvider.REQUIRED_DEFAULTS).containsOnlyKeys(V5);
        assertThat(catalogue.models()).filteredOn(m -> m.provider().equals(SegmindProvider.ID))
                .extracting(ModelSpec::model).containsExactlyInAnyOrder(V5, V4);
    }

    // ---- the two layers together ----------------------------------------------------------------------------

    @Test
    void submitsToTheModelsPathWithTheKeyHeaderAndTheFilledBody() {
        StubApi api = new StubApi();
        api.answers.add(Response.ok("{\"request_id\":\"r-42\",\"status\":\"QUEUED\"}").build());

        Submission submission = wired(api).submit(job(V5, input().put("prompt", "p"))).await().indefinitely();

        assertThat(submission.providerJobId()).isEqualTo("r-42");
        assertThat(api.calls).containsExactly("submit test-key " + V5);
        JsonNode sent = json(api.bodies.get(0));
        assertThat(sent.get("quality").asText()).isEqualTo("540p");
        assertThat(sent.get("prompt").asText()).isEqualTo("p");
    }

    @Test
    void fetchesTheResultOnlyOnceTheStatusSaysCompleted() {
        StubApi api = new StubApi();
        api.answers.add(Response.ok("{\"status\":\"PROCESSING\"}").build());
        api.answers.add(Response.ok("{\"status\":\"COMPLETED\"}").build());
        api.answers.add(Response.ok("{\"status\":\"COMPLETED\",\"output\":[\"" + VIDEO + "\"]}").build());
        SegmindProvider wired = wired(api);

        GenerationStatus running = wired.poll("r-42").await().indefinitely();
        GenerationStatus done = wired.poll("r-42").await().indefinitely();

        assertThat(running.phase()).isEqualTo(Phase.RUNNING);
        assertThat(done.phase()).isEqualTo(Phase.COMPLETED);
        assertThat(done.video()).isEqualTo(new Video(VIDEO, null, null, null));
        assertThat(api.calls).containsExactly("status test-key r-42", "status test-key r-42",
                "result test-key r-42");
    }

    @Test
    void turnsA422StatusIntoAFailedGenerationWithoutFetchingTheResult() {
        StubApi api = new StubApi();
        api.answers.add(Response.status(422)
                .entity("{\"status\":\"FAILED\",\"detail\":\"Content flagged by moderation\"}").build());

        GenerationStatus status = wired(api).poll("r-42").await().indefinitely();

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.contentBlocked()).isTrue();
        assertThat(status.errorMessage()).isEqualTo("Content flagged by moderation");
        assertThat(api.calls).containsExactly("status test-key r-42");
    }

    @Test
    void failsAPollThatGetsNoAnswerWithAClassifiedException() {
        StubApi api = new StubApi();
        SegmindProvider wired = wired(api);
        api.failure = new java.net.ConnectException("refused");

        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> wired.poll("r-42").await().indefinitely());

        assertThat(e.fault()).isEqualTo(ProviderFault.NOT_ACCEPTED);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private ProviderCallException pollFault(Answer answer) {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readStatus(answer));
        assertThat(e).as("HTTP %d %s", answer.status(), answer.body()).isNotNull();
        assertThat(e.getMessage()).doesNotContain("test-key");
        return e;
    }

    private String completedUrl(String body) {
        GenerationStatus status = provider.readResult(ok(body));
        assertThat(status.phase()).as(body).isEqualTo(Phase.COMPLETED);
        return status.video().url();
    }

    private static Answer ok(String body) {
        return new Answer(200, null, body);
    }

    private static ObjectNode input() {
        return JSON.createObjectNode();
    }

    private static JobRecord job(String model, ObjectNode input) {
        Instant now = Instant.parse("2025-03-01T12:00:00Z");
        return JobRecord.requested("job-1", SegmindProvider.ID, model, input, null, now, now.plusSeconds(600));
    }

    private static SegmindProvider wired(StubApi api) {
        return new SegmindProvider(api, JSON, new StubWorkerConfig(), new WorkerMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Answers calls in order from a queue and records what was asked. */
    private static final class StubApi implements SegmindApi {

        final List<Response> answers = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        Throwable failure;

        @Override
        public Uni<Response> submit(String apiKey, String model, String body) {
            calls.add("submit " + apiKey + " " + model);
            bodies.add(body);
            return next();
        }

        @Override
        public Uni<Response> status(String apiKey, String requestId) {
            calls.add("status " + apiKey + " " + requestId);
            return next();
        }

        @Override
        public Uni<Response> result(String apiKey, String requestId) {
            calls.add("result " + apiKey + " " + requestId);
            return next();
        }

        private Uni<Response> next() {
            if (failure != null) {
                return Uni.createFrom().failure(failure);
            }
            return Uni.createFrom().item(answers.remove(0));
        }
    }

    /** Only the provider settings are read by the adapter's constructor. */
}
