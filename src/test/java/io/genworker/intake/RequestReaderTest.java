package io.genworker.intake;

import static io.genworker.support.ModelIds.IMAGE_TO_VIDEO;
import static io.genworker.support.ModelIds.SEGMIND_V4;
import static io.genworker.support.ModelIds.SEGMIND_V5;
import static io.genworker.support.ModelIds.TEXT_TO_VIDEO;
import static io.genworker.support.ModelIds.TRANSITION;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.ErrorCode;
import io.genworker.job.ErrorDetail;
import io.genworker.job.GenerationRequest;
import io.genworker.support.StubWorkerConfig;

/**
 * What the reader makes of a record's bytes: the envelope (job id from key or body, model and provider, timeout,
 * metadata), refusals that stay small, and values that are not a request at all. The input rules of each model are
 * in {@link InputValidatorTest}; the hostile corpus, read the same way, in {@link HostileCorpusReaderTest}.
 */
class RequestReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FALLBACK_ID = "generation.requests-0@42";
    private static final String JOB_ID_PATTERN = "pattern:[A-Za-z0-9][A-Za-z0-9._:@/+=-]*";
    private static final String RESOLUTIONS = "enum:[\"360p\", \"540p\", \"720p\", \"1080p\"]";

    /** The documented defaults: 1 MiB records, 128-char job ids, 16 KiB metadata. */
    private static final WorkerConfig.Intake LIMITS = new StubWorkerConfig().intake();

    private final RequestReader reader = new RequestReader(ModelCatalogue.fromClasspath(JSON), LIMITS, 7200);

    // ---- valid requests -------------------------------------------------------------------------------------

    @Test
    void acceptsTextToVideoRequest() {
        ObjectNode request = textToVideo("job-1");
        request.put("timeoutSeconds", 600);
        request.putObject("metadata").put("tenant", "acme");

        GenerationRequest accepted = valid(read("job-1", request));

        assertThat(accepted.jobId()).isEqualTo("job-1");
        assertThat(accepted.model()).isEqualTo(TEXT_TO_VIDEO);
        assertThat(accepted.provider()).isEqualTo("aimlapi");
        assertThat(accepted.timeoutSeconds()).isEqualTo(600);
        assertThat(accepted.metadata().get("tenant").asText()).isEqualTo("acme");
        assertThat(accepted.input().get("prompt").asText()).isEqualTo("A dragon over mountains");
    }

    @Test
    void acceptsImageToVideoRequest() {
        ReadOutcome outcome = read("job-2", imageToVideo("job-2"));

        assertThat(valid(outcome).model()).isEqualTo(IMAGE_TO_VIDEO);
        assertThat(((ReadOutcome.Valid) outcome).spec().model()).isEqualTo(IMAGE_TO_VIDEO);
    }

    @Test
    void acceptsTransitionRequest() {
        ReadOutcome outcome = read("job-3", transition("job-3"));

        assertThat(valid(outcome).model()).isEqualTo(TRANSITION);
        assertThat(((ReadOutcome.Valid) outcome).spec().model()).isEqualTo(TRANSITION);
    }

    @Test
    void takesTheJobIdFromTheRecordKeyWhenTheBodyHasNone() {
        ObjectNode request = textToVideo("ignored");
        request.remove("jobId");

        assertThat(valid(read("from-key", request)).jobId()).isEqualTo("from-key");
    }

    @Test
    void takesTheJobIdFromTheBodyWhenTheRecordHasNoKey() {
        assertThat(valid(read(null, textToVideo("from-body"))).jobId()).isEqualTo("from-body");
    }

    // ---- envelope rules -------------------------------------------------------------------------------------

    @Test
    void rejectsAJobIdThatDisagreesWithTheRecordKey() {
        ReadOutcome outcome = read("key-1", textToVideo("body-1"));

        assertThat(invalidDetails(outcome)).containsExactly(new ErrorDetail("jobId", "equals-record-key", "body-1"));
        assertThat(((ReadOutcome.Invalid) outcome).jobId()).isEqualTo("key-1");
    }

    @Test
    void checksTheRecordKeyEvenWhenItDisagreesWithTheBody() {
        ReadOutcome outcome = read("bad key", textToVideo("body-1"));

        assertThat(invalidDetails(outcome)).extracting(ErrorDetail::rule)
                .containsExactly("equals-record-key", "pattern:[A-Za-z0-9][A-Za-z0-9._:@/+=-]*");
        assertThat(((ReadOutcome.Invalid) outcome).jobId()).isEqualTo(FALLBACK_ID);
    }

    @Test
    void rejectsAJobIdLongerThan128Characters() {
        String longId = "j".repeat(129);

        ReadOutcome outcome = read(longId, textToVideo(longId));

        assertThat(invalidDetails(outcome)).containsExactly(new ErrorDetail("jobId", "maxLength:128", 129));
        assertThat(((ReadOutcome.Invalid) outcome).jobId()).isEqualTo(FALLBACK_ID);
    }

    @Test
    void acceptsAJobIdOfExactly128Characters() {
        String id = "j".repeat(128);

        assertThat(valid(read(id, textToVideo(id))).jobId()).isEqualTo(id);
    }

    @Test
    void rejectsARecordKeyWithSpacesWhenTheBodyHasNoJobId() {
        ObjectNode request = textToVideo("x");
        request.remove("jobId");

        assertThat(invalidDetails(read("job 1", request))).containsExactly(
                new ErrorDetail("jobId", JOB_ID_PATTERN, "job 1"));
    }

    @Test
    void requiresAJobIdFromKeyOrBodyAndReportsUnderTheFallbackId() {
        ObjectNode request = textToVideo("x");
        request.remove("jobId");

        ReadOutcome outcome = read(null, request);

        assertThat(invalidDetails(outcome)).containsExactly(
                new ErrorDetail("jobId", "required (record key or jobId)", null));
        assertThat(((ReadOutcome.Invalid) outcome).jobId()).isEqualTo(FALLBACK_ID);
    }

    @Test
    void refusesAnUnknownModelAsUnsupported() {
        ObjectNode request = textToVideo("job-1");
        request.put("model", "pixverse/v9/text-to-video");

        ReadOutcome.Invalid invalid = invalid(read("job-1", request));

        assertThat(invalid.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_MODEL);
        assertThat(invalid.error().retryable()).isFalse();
        assertThat(invalid.error().details()).containsExactly(
                new ErrorDetail("model", "supported-model", "pixverse/v9/text-to-video"));
        assertThat(invalid.error().message()).contains(TEXT_TO_VIDEO, IMAGE_TO_VIDEO, TRANSITION);
        assertThat(invalid.jobId()).isEqualTo("job-1");
    }

    @Test
    void rejectsATimeoutAboveTheMaximum() {
        ObjectNode request = textToVideo("job-1");
        request.put("timeoutSeconds", 7201);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("timeoutSeconds", "range:1..7200", 7201));
    }

    @Test
    void rejectsATimeoutThatIsNotANumber() {
        ObjectNode request = textToVideo("job-1");
        request.put("timeoutSeconds", "abc");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("timeoutSeconds", "type:integer", "abc"));
    }

    @Test
    void rejectsMetadataLargerThan16KiB() {
        ObjectNode request = textToVideo("job-1");
        request.putObject("metadata").put("notes", "n".repeat(16384));

        ReadOutcome.Invalid invalid = invalid(read("job-1", request));

        assertThat(invalid.error().details()).containsExactly(new ErrorDetail("metadata", "maxBytes:16384", null));
        assertThat(invalid.metadata()).isNull();
    }

    @Test
    void measuresMetadataInUtf8Bytes() {
        // 6000 three-byte characters: 18000 bytes once serialized, though only ~6000 chars.
        ObjectNode request = textToVideo("job-1");
        request.putObject("metadata").put("notes", "\u20ac".repeat(6000));

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("metadata", "maxBytes:16384", null));
    }

    @Test
    void rejectsMetadataThatIsNotAnObject() {
        ObjectNode request = textToVideo("job-1");
        request.put("metadata", "tenant=acme");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("metadata", "type:object", "tenant=acme"));
    }

    @Test
    void reportsEveryBrokenRuleAtOnce() {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", "job 1").put("model", TEXT_TO_VIDEO).put("priority", "high").put("timeoutSeconds", 0);
        request.putObject("input").put("resolution", "4k").put("duration", 6).put("fps", 60);

        ReadOutcome.Invalid invalid = invalid(read(null, request));

        assertThat(invalid.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(invalid.error().details()).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactlyInAnyOrder(
                        tuple("priority", "unknown-field"),
                        tuple("jobId", JOB_ID_PATTERN),
                        tuple("timeoutSeconds", "range:1..7200"),
                        tuple("input.fps", "unknown-field"),
                        tuple("input.prompt", "required"),
                        tuple("input.resolution", RESOLUTIONS),
                        tuple("input.duration", "enum:[5, 8]"));
        assertThat(invalid.error().details()).hasSize(7);
        assertThat(invalid.error().message()).startsWith("7 rule(s) broken: ");
        assertThat(invalid.jobId()).isEqualTo(FALLBACK_ID);
    }

    @Test
    void keepsErrorDetailsShortForAMegabytePrompt() {
        ObjectNode request = textToVideo("job-1");
        // The longest prompt that still fits in a record: refused by the prompt's own limit, not the record's.
        int length = LIMITS.maxRecordBytes() - 1_000;
        ((ObjectNode) request.get("input")).put("prompt", "p".repeat(length));

        ReadOutcome.Invalid invalid = invalid(read("job-1", request));

        assertThat(invalid.error().details()).containsExactly(
                new ErrorDetail("input.prompt", "maxLength:2048", length));
        assertThat(invalid.error().details())
                .allSatisfy(d -> assertThat(String.valueOf(d.value())).hasSizeLessThan(200));
        assertThat(invalid.error().message()).hasSizeLessThan(500);
    }

    @Test
    void listsTwentyBrokenRulesAndCountsTheRest() {
        ObjectNode request = textToVideo("job-1");
        for (int i = 0; i < 5000; i++) {
            ((ObjectNode) request.get("input")).put("extra" + i, i);
        }

        ReadOutcome.Invalid refused = invalid(read("job-1", request));

        assertThat(refused.error().details()).hasSize(21);
        assertThat(refused.error().details().get(20))
                .isEqualTo(new ErrorDetail("request", "maxDetails:20", 4980));
        assertThat(refused.error().message()).startsWith("5000 rule(s) broken: ").hasSizeLessThan(1000);
    }

    // ---- undecodable records --------------------------------------------------------------------------------

    @Test
    void refusesWhitespaceOnly() {
        assertThat(undecodable(reader.read("job-1", "   ".getBytes(UTF_8), FALLBACK_ID)))
                .startsWith("a request must be a JSON object");
    }

    @Test
    void refusesInvalidUtf8Bytes() {
        assertThat(undecodable(reader.read("job-1", new byte[] { (byte) 0xC3, (byte) 0x28 }, FALLBACK_ID)))
                .isEqualTo("not UTF-8: invalid byte sequence at offset 0");
    }

    @Test
    void refusesInvalidUtf8InsideAString() {
        byte[] head = "{\"jobId\":\"job-1\",\"model\":\"pixverse/v5/text-to-video\",\"input\":{\"prompt\":\""
                .getBytes(UTF_8);
        byte[] tail = "\"}}".getBytes(UTF_8);
        byte[] value = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, value, 0, head.length);
        value[head.length] = (byte) 0xC3;
        value[head.length + 1] = (byte) 0x28;
        System.arraycopy(tail, 0, value, head.length + 2, tail.length);

        assertThat(undecodable(reader.read("job-1", value, FALLBACK_ID)))
                .isEqualTo("not UTF-8: invalid byte sequence at offset " + head.length);
    }

    @Test
    void refusesJsonNestedFortyDeep() {
        String nested = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        String value = "{\"jobId\":\"job-1\",\"model\":\"" + TEXT_TO_VIDEO + "\",\"input\":{\"prompt\":\"p\"},"
                + "\"metadata\":" + nested + "}";

        assertThat(undecodable(reader.read("job-1", value.getBytes(UTF_8), FALLBACK_ID))).startsWith("not valid JSON")
                .containsIgnoringCase("nesting depth");
    }

    @Test
    void refusesDuplicateKeysInsideInput() {
        String value = "{\"jobId\":\"job-1\",\"model\":\"" + TEXT_TO_VIDEO
                + "\",\"input\":{\"prompt\":\"p\",\"duration\":5,\"duration\":8}}";

        assertThat(undecodable(reader.read("job-1", value.getBytes(UTF_8), FALLBACK_ID)))
                .contains("Duplicate field 'duration'");
    }

    @Test
    void refusesAValueLargerThanTheRecordLimit() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("prompt", "p".repeat(LIMITS.maxRecordBytes()));

        assertThat(undecodable(read("job-1", request)))
                .contains("exceeds the limit of " + LIMITS.maxRecordBytes() + " bytes");
    }

    // ---- Segmind models --------------------------------------------------------------------------------------

    @Test
    void acceptsPixverse5TransitionWithOnlyAPromptAndRoutesItToSegmind() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).remove("first_frame_url");
        ((ObjectNode) request.get("input")).remove("last_frame_url");

        ReadOutcome outcome = read("job-1", request);

        assertThat(valid(outcome).provider()).isEqualTo("segmind");
        assertThat(((ReadOutcome.Valid) outcome).spec().model()).isEqualTo(SEGMIND_V5);
    }

    @Test
    void acceptsPixverseTransitionV4WithEveryRequiredParameter() {
        ObjectNode request = segmindV4("job-1");
        ((ObjectNode) request.get("input")).put("seed", 1);

        GenerationRequest accepted = valid(read("job-1", request));

        assertThat(accepted.provider()).isEqualTo("segmind");
        assertThat(accepted.model()).isEqualTo(SEGMIND_V4);
    }

    @Test
    void refusesASegmindModelOnTheAimlApiAsUnsupported() {
        ObjectNode request = segmindV4("job-1").put("provider", "aimlapi");

        ReadOutcome.Invalid invalid = invalid(read("job-1", request));

        assertThat(invalid.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_MODEL);
        assertThat(invalid.error().details()).containsExactly(
                new ErrorDetail("provider", "supported-model", "aimlapi"));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private ReadOutcome read(String key, ObjectNode request) {
        return reader.read(key, request.toString().getBytes(UTF_8), FALLBACK_ID);
    }

    private static GenerationRequest valid(ReadOutcome outcome) {
        assertThat(outcome).isInstanceOf(ReadOutcome.Valid.class);
        return ((ReadOutcome.Valid) outcome).request();
    }

    private static ReadOutcome.Invalid invalid(ReadOutcome outcome) {
        assertThat(outcome).isInstanceOf(ReadOutcome.Invalid.class);
        return (ReadOutcome.Invalid) outcome;
    }

    private static List<ErrorDetail> invalidDetails(ReadOutcome outcome) {
        ReadOutcome.Invalid invalid = invalid(outcome);
        assertThat(invalid.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(invalid.error().message()).startsWith(invalid.error().details().size() + " rule(s) broken: ");
        return invalid.error().details();
    }

    private static String undecodable(ReadOutcome outcome) {
        assertThat(outcome).isInstanceOf(ReadOutcome.Undecodable.class);
        return ((ReadOutcome.Undecodable) outcome).reason();
    }

    private static ObjectNode textToVideo(String jobId) {
        return ModelInputs.request(jobId, TEXT_TO_VIDEO);
    }

    private static ObjectNode imageToVideo(String jobId) {
        return ModelInputs.request(jobId, IMAGE_TO_VIDEO);
    }

    private static ObjectNode transition(String jobId) {
        return ModelInputs.request(jobId, TRANSITION);
    }

    private static ObjectNode segmindV5(String jobId) {
        return ModelInputs.request(jobId, SEGMIND_V5);
    }

    private static ObjectNode segmindV4(String jobId) {
        return ModelInputs.request(jobId, SEGMIND_V4);
    }
}
