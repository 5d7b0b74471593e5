package io.genworker.provider.aimlapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.support.StubWorkerConfig;
import io.genworker.job.Video;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.GenerationStatus.Phase;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderFault;

class AimlApiStatusTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AimlApiProvider provider = new AimlApiProvider(null, JSON, new StubWorkerConfig(), null,
            Clock.systemUTC());

    // ---- phase ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "queued, QUEUED",
            "waiting, QUEUED",
            "generating, RUNNING",
            "active, RUNNING",
            "completed, COMPLETED",
            "succeeded, COMPLETED",
            "error, FAILED",
            "COMPLETED, COMPLETED",
            "Generating, RUNNING" })
    void mapsEachStatusTheApiSends(String status, Phase expected) {
        assertThat(AimlApiProvider.phase(status)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "unknown", "", "done!", "cancelled" })
    void leavesUndocumentedStatusesUnmapped(String status) {
        assertThat(AimlApiProvider.phase(status)).isNull();
    }

    @Test
    void leavesAMissingStatusUnmapped() {
        assertThat(AimlApiProvider.phase(null)).isNull();
    }

    // ---- readStatus -----------------------------------------------------------------------------------------

    @Test
    void readsACompletedGenerationWithItsFullVideoObject() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"completed",
                 "video":{"url":"https://cdn.example.com/v.mp4","content_type":"video/mp4",
                          "file_name":"v.mp4","file_size":1234567}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.COMPLETED);
        assertThat(status.finished()).isTrue();
        assertThat(status.video()).isEqualTo(new Video("https://cdn.example.com/v.mp4", "video/mp4", "v.mp4",
                1234567L));
        assertThat(status.errorMessage()).isNull();
        assertThat(status.contentBlocked()).isFalse();
        assertThat(status.rawStatus()).isEqualTo("completed");
    }

    @Test
    void readsASucceededGenerationWithOnlyAUrl() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"succeeded","video":{"url":"https://cdn.example.com/v.mp4"}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.COMPLETED);
        assertThat(status.video()).isEqualTo(new Video("https://cdn.example.com/v.mp4", null, null, null));
        assertThat(status.rawStatus()).isEqualTo("succeeded");
    }

    @Test
    void readsCreditsFromTokensUsed() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"queued","meta":{"usage":{"tokens_used":120000}}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.QUEUED);
        assertThat(status.credits()).isEqualTo(120000.0);
    }

    @Test
    void readsCreditsFromCreditsUsed() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"generating","meta":{"usage":{"credits_used":42.5}}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.RUNNING);
        assertThat(status.finished()).isFalse();
        assertThat(status.credits()).isEqualTo(42.5);
    }

    @Test
    void leavesCreditsEmptyWithoutUsage() {
        assertThat(provider.readStatus(json("{\"id\":\"gen-1\",\"status\":\"waiting\"}")).credits()).isNull();
    }

    @Test
    void readsAFailedGenerationWithItsErrorNameAndMessage() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"error","error":{"name":"GenerationError","message":"upstream crashed"}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.finished()).isTrue();
        assertThat(status.video()).isNull();
        assertThat(status.errorMessage()).isEqualTo("GenerationError: upstream crashed");
        assertThat(status.contentBlocked()).isFalse();
    }

    @Test
    void readsAFailedGenerationWithATextError() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"failed","error":"out of capacity"}
                """));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("out of capacity");
    }

    @Test
    void readsAnErrorThatHasANameButNoMessage() {
        GenerationStatus status = provider.readStatus(
                json("{\"id\":\"gen-1\",\"status\":\"error\",\"error\":{\"name\":\"Timeout\"}}"));

        assertThat(status.errorMessage()).isEqualTo("Timeout");
    }

    @Test
    void readsAFailedGenerationWithoutAnyError() {
        GenerationStatus status = provider.readStatus(json("{\"id\":\"gen-1\",\"status\":\"error\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.errorMessage()).isEqualTo("generation failed without detail");
    }

    @Test
    void flagsAModerationFailureAsContentBlocked() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"error",
                 "error":{"name":"ContentError","message":"The prompt was rejected by content moderation"}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.contentBlocked()).isTrue();
        assertThat(status.errorMessage()).contains("content moderation");
    }

    @Test
    void failsACompletedGenerationWithoutAVideo() {
        GenerationStatus status = provider.readStatus(json("{\"id\":\"gen-1\",\"status\":\"completed\"}"));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
        assertThat(status.video()).isNull();
        assertThat(status.errorMessage()).contains("without a video URL");
        assertThat(status.contentBlocked()).isFalse();
    }

    @Test
    void failsACompletedGenerationWhoseVideoHasNoUrl() {
        GenerationStatus status = provider.readStatus(json("""
                {"id":"gen-1","status":"completed","video":{"content_type":"video/mp4"}}
                """));

        assertThat(status.phase()).isEqualTo(Phase.FAILED);
    }

    @Test
    void treatsAnUndocumentedStatusAsAmbiguous() {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readStatus(json("{\"id\":\"gen-1\",\"status\":\"teleporting\"}")));

        assertThat(e).isNotNull();
        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(e.getMessage()).contains("teleporting");
    }

    @Test
    void treatsAMissingStatusAsAmbiguous() {
        ProviderCallException e = catchThrowableOfType(ProviderCallException.class,
                () -> provider.readStatus(json("{\"id\":\"gen-1\"}")));

        assertThat(e).isNotNull();
        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Only the provider settings are read by the adapter's constructor. */
}
