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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.ErrorCode;
import io.genworker.job.ErrorDetail;
import io.genworker.job.GenerationRequest;
import io.genworker.support.StubWorkerConfig;

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
    void acceptsEveryDocumentedOptionalParameter() {
        ObjectNode request = textToVideo("job-4");
        ((ObjectNode) request.get("input")).put("aspect_ratio", "9:16").put("resolution", "540p").put("duration", 8)
                .put("negative_prompt", "blur").put("style", "anime").put("seed", 2147483647)
                .put("lip_sync_tts_content", "Hello").put("lip_sync_tts_speaker", "Auto");

        assertThat(valid(read("job-4", request)).input().get("style").asText()).isEqualTo("anime");
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

    // ---- input rules ----------------------------------------------------------------------------------------

    @Test
    void requiresAPrompt() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).remove("prompt");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.prompt", "required", null));
    }

    @Test
    void requiresBothImagesForATransition() {
        ObjectNode request = transition("job-1");
        ((ObjectNode) request.get("input")).remove("image_url");
        ((ObjectNode) request.get("input")).remove("tail_image_url");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.image_url", "required", null),
                new ErrorDetail("input.tail_image_url", "required", null));
    }

    @Test
    void rejectsAnEmptyPrompt() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("prompt", "");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.prompt", "minLength:1", ""));
    }

    @Test
    void rejectsAPromptThatIsNotAString() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("prompt", 42);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.prompt", "type:string"));
    }

    @Test
    void rejectsADurationGivenAsAString() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("duration", "5");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.duration", "type:integer", "5"));
    }

    @Test
    void rejectsAFractionalSeed() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("seed", 1.5);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.seed", "type:integer"));
    }

    @Test
    void rejectsANegativeSeed() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("seed", -1);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.seed", "minimum:0", -1L));
    }

    @Test
    void rejectsInputThatIsNotAnObject() {
        ObjectNode request = textToVideo("job-1");
        request.put("input", "make a video");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input", "type:object", "make a video"));
    }

    @Test
    void rejectsAModelThatIsNotAString() {
        ObjectNode request = textToVideo("job-1");
        request.put("model", 5);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("model", "type:non-empty-string"));
    }

    @Test
    void rejectsAResolutionOutsideTheEnum() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "4k");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.resolution", RESOLUTIONS, "4k"));
    }

    @Test
    void rejectsAnAspectRatioOutsideTheEnum() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("aspect_ratio", "21:9");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(new ErrorDetail("input.aspect_ratio",
                "enum:[\"16:9\", \"4:3\", \"1:1\", \"3:4\", \"9:16\"]", "21:9"));
    }

    @Test
    void rejectsAStyleOutsideTheEnum() {
        ObjectNode request = imageToVideo("job-1");
        ((ObjectNode) request.get("input")).put("style", "watercolor");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(new ErrorDetail("input.style",
                "enum:[\"anime\", \"3d_animation\", \"clay\", \"comic\", \"cyberpunk\"]", "watercolor"));
    }

    @Test
    void rejectsALipSyncSpeakerOutsideTheEnum() {
        ObjectNode request = transition("job-1");
        ((ObjectNode) request.get("input")).put("lip_sync_tts_speaker", "Bob");

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker", "enum:[\"Harper\", \"Ava\", \"Isabella\", "
                        + "\"Sophia\", \"Emily\", \"Chloe\", \"Julia\", \"Mason\", \"Jack\", \"Liam\", \"James\", "
                        + "\"Oliver\", \"Adrian\", \"Ethan\", \"Auto\"]"));
    }

    @Test
    void rejectsSixSecondDuration() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("duration", 6);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.duration", "enum:[5, 8]"));
    }

    @Test
    void rejects1080pAtEightSeconds() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "1080p").put("duration", 8);

        List<ErrorDetail> details = invalidDetails(read("job-1", request));

        assertThat(details).hasSize(1);
        assertThat(details.get(0).field()).isEqualTo("input.duration");
        assertThat(details.get(0).rule()).startsWith("1080p-max-5s");
    }

    @Test
    void rejects1080pAtEightSecondsForImageModelsToo() {
        ObjectNode request = transition("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "1080p").put("duration", 8);

        assertThat(invalidDetails(read("job-1", request))).singleElement()
                .satisfies(d -> assertThat(d.rule()).startsWith("1080p-max-5s"));
    }

    @Test
    void accepts1080pWithTheDefaultDuration() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "1080p").remove("duration");

        assertThat(valid(read("job-1", request)).input().get("resolution").asText()).isEqualTo("1080p");
    }

    @Test
    void accepts1080pAtFiveSeconds() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "1080p").put("duration", 5);

        valid(read("job-1", request));
    }

    @Test
    void rejectsAnUnknownInputField() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("fps", 60);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.fps", "unknown-field", null));
    }

    @Test
    void rejectsAnImageUrlParameterOnTextToVideo() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("image_url", "https://example.com/a.png");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.image_url", "unknown-field", null));
    }

    @Test
    void rejectsAnUnknownEnvelopeField() {
        ObjectNode request = textToVideo("job-1");
        request.put("priority", "high");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("priority", "unknown-field", null));
    }

    @ParameterizedTest
    @ValueSource(strings = { "file:///etc/passwd", "ftp://x/y.png", "javascript:alert(1)", "not a url",
            "data:text/html;base64,AAAA", "data:image/png,raw", "https:///no-host.png" })
    void rejectsImageReferencesProvidersCannotFetch(String imageUrl) {
        ObjectNode request = imageToVideo("job-1");
        ((ObjectNode) request.get("input")).put("image_url", imageUrl);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.image_url", "format:http(s)-url-or-data-uri", imageUrl));
    }

    @Test
    void rejectsAFileUrlAsTailImage() {
        ObjectNode request = transition("job-1");
        ((ObjectNode) request.get("input")).put("tail_image_url", "file:///etc/passwd");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(new ErrorDetail("input.tail_image_url",
                "format:http(s)-url-or-data-uri", "file:///etc/passwd"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "data:image/png;base64,AAAA", "http://example.com/a.png",
            "https://cdn.example.com/x/y.jpg?sig=abc" })
    void acceptsHttpUrlsAndBase64DataUris(String imageUrl) {
        ObjectNode request = imageToVideo("job-1");
        ((ObjectNode) request.get("input")).put("image_url", imageUrl);

        assertThat(valid(read("job-1", request)).input().get("image_url").asText()).isEqualTo(imageUrl);
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
    void rejectsAJobIdWithSpaces() {
        assertThat(invalidDetails(read(null, textToVideo("job 1")))).containsExactly(
                new ErrorDetail("jobId", JOB_ID_PATTERN, "job 1"));
    }

    @Test
    void rejectsARecordKeyWithSpacesWhenTheBodyHasNoJobId() {
        ObjectNode request = textToVideo("x");
        request.remove("jobId");

        assertThat(invalidDetails(read("job 1", request))).containsExactly(
                new ErrorDetail("jobId", JOB_ID_PATTERN, "job 1"));
    }

    @Test
    void rejectsAJobIdThatIsNotAString() {
        ObjectNode request = textToVideo("x");
        request.put("jobId", 17);

        assertThat(invalidDetails(read(null, request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("jobId", "type:string"));
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
    void refusesAKnownModelOnAnUnknownProviderAsUnsupported() {
        ObjectNode request = textToVideo("job-1");
        request.put("provider", "segmind");

        ReadOutcome.Invalid invalid = invalid(read("job-1", request));

        assertThat(invalid.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_MODEL);
        assertThat(invalid.error().details()).containsExactly(
                new ErrorDetail("provider", "supported-model", "segmind"));
    }

    @Test
    void requiresAModel() {
        ObjectNode request = textToVideo("job-1");
        request.remove("model");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(new ErrorDetail("model", "required", null));
    }

    @Test
    void rejectsAZeroTimeout() {
        ObjectNode request = textToVideo("job-1");
        request.put("timeoutSeconds", 0);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("timeoutSeconds", "range:1..7200", 0));
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
    void shortensAHugeInvalidImageReferenceInTheDetail() {
        ObjectNode request = imageToVideo("job-1");
        String huge = "ftp://example.com/" + "x".repeat(500_000);
        ((ObjectNode) request.get("input")).put("image_url", huge);

        List<ErrorDetail> details = invalidDetails(read("job-1", request));

        assertThat(details).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.image_url", "format:http(s)-url-or-data-uri"));
        assertThat((String) details.get(0).value()).hasSizeLessThan(200).startsWith("ftp://example.com/")
                .endsWith("(" + huge.length() + " chars)");
    }

    // ---- undecodable records --------------------------------------------------------------------------------

    @Test
    void refusesBytesThatAreNotJson() {
        assertThat(undecodable(reader.read("job-1", "hello".getBytes(UTF_8), FALLBACK_ID)))
                .startsWith("not valid JSON");
    }

    @Test
    void refusesAnEmptyValue() {
        assertThat(undecodable(reader.read("job-1", new byte[0], FALLBACK_ID))).startsWith("empty value");
    }

    @Test
    void refusesANullValue() {
        assertThat(undecodable(reader.read("job-1", null, FALLBACK_ID))).startsWith("empty value");
    }

    @Test
    void refusesAJsonArray() {
        assertThat(undecodable(reader.read("job-1", "[{\"model\":\"x\"}]".getBytes(UTF_8), FALLBACK_ID)))
                .isEqualTo("a request must be a JSON object, got array");
    }

    @Test
    void refusesAJsonString() {
        assertThat(undecodable(reader.read("job-1", "\"make a video\"".getBytes(UTF_8), FALLBACK_ID)))
                .isEqualTo("a request must be a JSON object, got string");
    }

    @Test
    void refusesJsonNull() {
        assertThat(undecodable(reader.read("job-1", "null".getBytes(UTF_8), FALLBACK_ID)))
                .startsWith("a request must be a JSON object");
    }

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
    void refusesUtf16EvenThoughItWouldParse() {
        byte[] value = "{\"jobId\":\"job-1\",\"model\":\"pixverse/v5/text-to-video\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_16);

        assertThat(undecodable(reader.read("job-1", value, FALLBACK_ID))).startsWith("not UTF-8");
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

    @Test
    void echoesNoHugeFieldNameOrModel() {
        ObjectNode request = textToVideo("job-1");
        ((ObjectNode) request.get("input")).put("n".repeat(40000), 1);
        ObjectNode unsupported = textToVideo("job-2").put("model", "m".repeat(100000));

        assertThat(invalidDetails(read("job-1", request)).get(0).field()).hasSizeLessThan(200);
        assertThat(invalid(read("job-2", unsupported)).model()).hasSizeLessThan(200);
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
    void refusesDuplicateKeys() {
        String value = "{\"jobId\":\"job-1\",\"model\":\"" + TEXT_TO_VIDEO + "\",\"model\":\"" + IMAGE_TO_VIDEO
                + "\",\"input\":{\"prompt\":\"p\"}}";

        assertThat(undecodable(reader.read("job-1", value.getBytes(UTF_8), FALLBACK_ID))).startsWith("not valid JSON")
                .contains("Duplicate field 'model'");
    }

    @Test
    void refusesDuplicateKeysInsideInput() {
        String value = "{\"jobId\":\"job-1\",\"model\":\"" + TEXT_TO_VIDEO
                + "\",\"input\":{\"prompt\":\"p\",\"duration\":5,\"duration\":8}}";

        assertThat(undecodable(reader.read("job-1", value.getBytes(UTF_8), FALLBACK_ID)))
                .contains("Duplicate field 'duration'");
    }

    @Test
    void refusesTrailingContentAfterTheObject() {
        String value = textToVideo("job-1").toString() + " {}";

        assertThat(undecodable(reader.read("job-1", value.getBytes(UTF_8), FALLBACK_ID))).startsWith("not valid JSON");
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
    void acceptsEveryDocumentedPixverse5TransitionParameter() {
        ObjectNode request = segmindV5("job-1").put("provider", "segmind");
        ((ObjectNode) request.get("input")).put("duration", 8).put("motion_mode", "normal").put("quality", "720p")
                .put("lip_sync_switch", true).put("lip_sync_tts_content", "Hello there")
                .put("lip_sync_tts_speaker_id", "14").put("seed", 999999).put("sound_effect_content", "Rain")
                .put("sound_effect_switch", false);

        assertThat(valid(read("job-1", request)).input().get("lip_sync_tts_speaker_id").asText()).isEqualTo("14");
    }

    @Test
    void acceptsPixverseTransitionV4WithEveryRequiredParameter() {
        ObjectNode request = segmindV4("job-1");
        ((ObjectNode) request.get("input")).put("seed", 1);

        GenerationRequest accepted = valid(read("job-1", request));

        assertThat(accepted.provider()).isEqualTo("segmind");
        assertThat(accepted.model()).isEqualTo(SEGMIND_V4);
    }

    @ParameterizedTest
    @ValueSource(strings = { SEGMIND_V5, SEGMIND_V4 })
    void rejectsASegmindSeedOfZero(String model) {
        ObjectNode request = segmind(model, "job-1");
        ((ObjectNode) request.get("input")).put("seed", 0);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.seed", "minimum:1", 0L));
    }

    @ParameterizedTest
    @ValueSource(strings = { SEGMIND_V5, SEGMIND_V4 })
    void rejectsASegmindSeedAboveTheDocumentedRange(String model) {
        ObjectNode request = segmind(model, "job-1");
        ((ObjectNode) request.get("input")).put("seed", 1000000);

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.seed", "maximum:999999", 1000000L));
    }

    @ParameterizedTest
    @ValueSource(strings = { "15", "0", "Emily", "AUTO", "" })
    void rejectsASpeakerIdOutsideTheDocumentedFifteen(String speaker) {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("lip_sync_tts_speaker_id", speaker);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker_id", "enum:[\"auto\", \"1\", \"2\", \"3\", "
                        + "\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\", \"11\", \"12\", \"13\", \"14\"]"));
    }

    @Test
    void rejectsASpeakerIdGivenAsANumber() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("lip_sync_tts_speaker_id", 3);

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker_id", "type:string"));
    }

    @Test
    void refusesFastMotionOnPixverse5Transition() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("motion_mode", "fast");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.motion_mode", "enum:[\"normal\"]", "fast"));
    }

    @Test
    void acceptsFastMotionOnPixverseTransitionV4() {
        ObjectNode request = segmindV4("job-1");
        ((ObjectNode) request.get("input")).put("motion_mode", "fast");

        assertThat(valid(read("job-1", request)).input().get("motion_mode").asText()).isEqualTo("fast");
    }

    @Test
    void requiresTheFirstFrameOnPixverseTransitionV4() {
        ObjectNode request = segmindV4("job-1");
        ((ObjectNode) request.get("input")).remove("first_frame_url");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.first_frame_url", "required", null));
    }

    @Test
    void requiresEveryParameterTheV4PageMarksRequired() {
        ObjectNode request = segmindV4("job-1");
        request.set("input", JSON.createObjectNode());

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field).containsExactlyInAnyOrder(
                "input.prompt", "input.duration", "input.first_frame_url", "input.last_frame_url",
                "input.motion_mode", "input.quality");
    }

    @Test
    void rejectsAFrameThatIsNotAnImageReference() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("last_frame_url", "file:///etc/passwd");

        assertThat(invalidDetails(read("job-1", request))).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.last_frame_url", "format:http(s)-url-or-data-uri"));
    }

    @ParameterizedTest
    @ValueSource(strings = { SEGMIND_V5, SEGMIND_V4 })
    void rejects1080pAtEightSecondsOnSegmind(String model) {
        ObjectNode request = segmind(model, "job-1");
        ((ObjectNode) request.get("input")).put("quality", "1080p").put("duration", 8);

        assertThat(invalidDetails(read("job-1", request))).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("input.duration");
            assertThat(d.rule()).startsWith("1080p-max-5s");
        });
    }

    @Test
    void accepts1080pWithTheDefaultDurationOnPixverse5Transition() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("quality", "1080p");

        valid(read("job-1", request));
    }

    @Test
    void acceptsEightSecondsAtTheDefaultQualityOnPixverse5Transition() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("duration", 8);

        assertThat(valid(read("job-1", request)).input().get("duration").intValue()).isEqualTo(8);
    }

    @Test
    void rejectsAnAimlApiParameterOnASegmindModel() {
        ObjectNode request = segmindV5("job-1");
        ((ObjectNode) request.get("input")).put("resolution", "720p");

        assertThat(invalidDetails(read("job-1", request))).containsExactly(
                new ErrorDetail("input.resolution", "unknown-field", null));
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
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", TEXT_TO_VIDEO);
        request.putObject("input").put("prompt", "A dragon over mountains").put("resolution", "720p").put("duration",
                5);
        return request;
    }

    private static ObjectNode imageToVideo(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", IMAGE_TO_VIDEO);
        request.putObject("input").put("prompt", "The dragon takes off").put("image_url",
                "https://example.com/first.png");
        return request;
    }

    private static ObjectNode segmind(String model, String jobId) {
        return SEGMIND_V5.equals(model) ? segmindV5(jobId) : segmindV4(jobId);
    }

    private static ObjectNode segmindV5(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", SEGMIND_V5);
        request.putObject("input").put("prompt", "From dawn to dusk")
                .put("first_frame_url", "https://example.com/first.png")
                .put("last_frame_url", "https://example.com/last.png");
        return request;
    }

    private static ObjectNode segmindV4(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", SEGMIND_V4);
        request.putObject("input").put("prompt", "From dawn to dusk")
                .put("first_frame_url", "https://example.com/first.png")
                .put("last_frame_url", "https://example.com/last.png").put("duration", 5).put("quality", "720p")
                .put("motion_mode", "normal");
        return request;
    }

    private static ObjectNode transition(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", TRANSITION);
        request.putObject("input").put("prompt", "From dawn to dusk").put("image_url", "https://example.com/first.png")
                .put("tail_image_url", "https://example.com/last.png");
        return request;
    }
}
