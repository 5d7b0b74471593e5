package io.genworker.intake;

import static io.genworker.support.ModelIds.IMAGE_TO_VIDEO;
import static io.genworker.support.ModelIds.SEGMIND_V4;
import static io.genworker.support.ModelIds.SEGMIND_V5;
import static io.genworker.support.ModelIds.TEXT_TO_VIDEO;
import static io.genworker.support.ModelIds.TRANSITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.job.ErrorDetail;

/**
 * The rules a request's {@code input} must keep, as the catalogue states them per model: required parameters,
 * types, enums, ranges, lengths, image references and the rules between fields. Envelope and parsing rules are in
 * {@link RequestReaderTest}; hostile inputs in {@code src/test/resources/hostile/requests} ({@link
 * HostileCorpusReaderTest}).
 */
class InputValidatorTest {

    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(new ObjectMapper());
    private static final String IMAGE_REFERENCE = "format:http(s)-url-or-data-uri";

    private final InputValidator validator = new InputValidator();

    // ---- AI/ML API models -----------------------------------------------------------------------------------

    @Test
    void acceptsEveryDocumentedOptionalParameter() {
        ObjectNode input = ModelInputs.of(TEXT_TO_VIDEO).put("aspect_ratio", "9:16").put("resolution", "540p")
                .put("duration", 8).put("negative_prompt", "blur").put("style", "anime").put("seed", 2147483647)
                .put("lip_sync_tts_content", "Hello").put("lip_sync_tts_speaker", "Auto");

        assertThat(check(TEXT_TO_VIDEO, input)).isEmpty();
    }

    @Test
    void requiresBothImagesForATransition() {
        ObjectNode input = ModelInputs.of(TRANSITION);
        input.remove("image_url");
        input.remove("tail_image_url");

        assertThat(check(TRANSITION, input)).containsExactly(
                new ErrorDetail("input.image_url", "required", null),
                new ErrorDetail("input.tail_image_url", "required", null));
    }

    @Test
    void rejectsAnEmptyPrompt() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("prompt", ""))).containsExactly(
                new ErrorDetail("input.prompt", "minLength:1", ""));
    }

    @Test
    void rejectsADurationGivenAsAString() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("duration", "5"))).containsExactly(
                new ErrorDetail("input.duration", "type:integer", "5"));
    }

    @Test
    void rejectsAFractionalSeed() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("seed", 1.5)))
                .extracting(ErrorDetail::field, ErrorDetail::rule).containsExactly(tuple("input.seed", "type:integer"));
    }

    @Test
    void rejectsANegativeSeed() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("seed", -1))).containsExactly(
                new ErrorDetail("input.seed", "minimum:0", -1L));
    }

    @Test
    void rejectsAnAspectRatioOutsideTheEnum() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("aspect_ratio", "21:9"))).containsExactly(
                new ErrorDetail("input.aspect_ratio", "enum:[\"16:9\", \"4:3\", \"1:1\", \"3:4\", \"9:16\"]", "21:9"));
    }

    @Test
    void rejectsAStyleOutsideTheEnum() {
        assertThat(check(IMAGE_TO_VIDEO, ModelInputs.of(IMAGE_TO_VIDEO).put("style", "watercolor"))).containsExactly(
                new ErrorDetail("input.style", "enum:[\"anime\", \"3d_animation\", \"clay\", \"comic\", \"cyberpunk\"]",
                        "watercolor"));
    }

    @Test
    void rejectsALipSyncSpeakerOutsideTheEnum() {
        assertThat(check(TRANSITION, ModelInputs.of(TRANSITION).put("lip_sync_tts_speaker", "Bob")))
                .extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker", "enum:[\"Harper\", \"Ava\", \"Isabella\", "
                        + "\"Sophia\", \"Emily\", \"Chloe\", \"Julia\", \"Mason\", \"Jack\", \"Liam\", \"James\", "
                        + "\"Oliver\", \"Adrian\", \"Ethan\", \"Auto\"]"));
    }

    @Test
    void rejects1080pAtEightSecondsForImageModelsToo() {
        ObjectNode input = ModelInputs.of(TRANSITION).put("resolution", "1080p").put("duration", 8);

        assertThat(check(TRANSITION, input)).singleElement()
                .satisfies(d -> assertThat(d.rule()).startsWith("1080p-max-5s"));
    }

    @Test
    void accepts1080pWithTheDefaultDuration() {
        ObjectNode input = ModelInputs.of(TEXT_TO_VIDEO).put("resolution", "1080p");
        input.remove("duration");

        assertThat(check(TEXT_TO_VIDEO, input)).isEmpty();
    }

    @Test
    void accepts1080pAtFiveSeconds() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("resolution", "1080p").put("duration", 5)))
                .isEmpty();
    }

    @Test
    void rejectsAnImageUrlParameterOnTextToVideo() {
        assertThat(check(TEXT_TO_VIDEO, ModelInputs.of(TEXT_TO_VIDEO).put("image_url", "https://example.com/a.png")))
                .containsExactly(new ErrorDetail("input.image_url", "unknown-field", null));
    }

    // file:, ftp:, javascript:, data:text/html, a URL without host: hostile corpus cases 54-59. The providers' schemas
    // ask for RFC 3986 URIs: no raw non-ASCII text, spaces or line breaks, no brackets in a query or fragment.
    @ParameterizedTest
    @ValueSource(strings = { "not a url", "data:image/png,raw", "https://example.com/premi\u00e8re.png",
            "https://example.com/a.png?crop[x]=1", "https://example.com/a.png#frame[1]",
            "data:image/png;base64,iVBORw0K GgoAAAANSUhEUg==", "data:image/png;base64,iVBORw0K\nGgoAAAANSUhEUg==" })
    void rejectsImageReferencesProvidersCannotFetch(String imageUrl) {
        assertThat(check(IMAGE_TO_VIDEO, ModelInputs.of(IMAGE_TO_VIDEO).put("image_url", imageUrl))).containsExactly(
                new ErrorDetail("input.image_url", IMAGE_REFERENCE, imageUrl));
    }

    @Test
    void rejectsAFileUrlAsTailImage() {
        assertThat(check(TRANSITION, ModelInputs.of(TRANSITION).put("tail_image_url", "file:///etc/passwd")))
                .containsExactly(new ErrorDetail("input.tail_image_url", IMAGE_REFERENCE, "file:///etc/passwd"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "data:image/png;base64,AAAA", "http://example.com/a.png",
            "https://cdn.example.com/x/y.jpg?sig=abc", "https://[2001:db8::1]/a.png",
            "https://example.com/premi%C3%A8re.png?crop%5Bx%5D=1" })
    void acceptsHttpUrlsAndBase64DataUris(String imageUrl) {
        assertThat(check(IMAGE_TO_VIDEO, ModelInputs.of(IMAGE_TO_VIDEO).put("image_url", imageUrl))).isEmpty();
    }

    @Test
    void shortensAHugeInvalidImageReferenceInTheDetail() {
        String huge = "ftp://example.com/" + "x".repeat(500_000);

        List<ErrorDetail> details = check(IMAGE_TO_VIDEO, ModelInputs.of(IMAGE_TO_VIDEO).put("image_url", huge));

        assertThat(details).extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.image_url", IMAGE_REFERENCE));
        assertThat((String) details.get(0).value()).hasSizeLessThan(200).startsWith("ftp://example.com/")
                .endsWith("(" + huge.length() + " chars)");
    }

    // ---- Segmind models -------------------------------------------------------------------------------------

    @Test
    void acceptsEveryDocumentedPixverse5TransitionParameter() {
        ObjectNode input = ModelInputs.of(SEGMIND_V5).put("duration", 8).put("motion_mode", "normal")
                .put("quality", "720p").put("lip_sync_switch", true).put("lip_sync_tts_content", "Hello there")
                .put("lip_sync_tts_speaker_id", "14").put("seed", 999999).put("sound_effect_content", "Rain")
                .put("sound_effect_switch", false);

        assertThat(check(SEGMIND_V5, input)).isEmpty();
    }

    // Seed 0 and 1000000 on the v5 model: hostile corpus cases 48 and 49.
    @Test
    void rejectsASeedOfZeroOnPixverseTransitionV4() {
        assertThat(check(SEGMIND_V4, ModelInputs.of(SEGMIND_V4).put("seed", 0))).containsExactly(
                new ErrorDetail("input.seed", "minimum:1", 0L));
    }

    @Test
    void rejectsASeedAboveTheDocumentedRangeOnPixverseTransitionV4() {
        assertThat(check(SEGMIND_V4, ModelInputs.of(SEGMIND_V4).put("seed", 1000000))).containsExactly(
                new ErrorDetail("input.seed", "maximum:999999", 1000000L));
    }

    // "15": hostile corpus case 51.
    @ParameterizedTest
    @ValueSource(strings = { "0", "Emily", "AUTO", "" })
    void rejectsASpeakerIdOutsideTheDocumentedFifteen(String speaker) {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("lip_sync_tts_speaker_id", speaker)))
                .extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker_id", "enum:[\"auto\", \"1\", \"2\", \"3\", "
                        + "\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\", \"11\", \"12\", \"13\", \"14\"]"));
    }

    @Test
    void rejectsASpeakerIdGivenAsANumber() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("lip_sync_tts_speaker_id", 3)))
                .extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.lip_sync_tts_speaker_id", "type:string"));
    }

    @Test
    void refusesFastMotionOnPixverse5Transition() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("motion_mode", "fast"))).containsExactly(
                new ErrorDetail("input.motion_mode", "enum:[\"normal\"]", "fast"));
    }

    @Test
    void acceptsFastMotionOnPixverseTransitionV4() {
        assertThat(check(SEGMIND_V4, ModelInputs.of(SEGMIND_V4).put("motion_mode", "fast"))).isEmpty();
    }

    @Test
    void requiresTheFirstFrameOnPixverseTransitionV4() {
        ObjectNode input = ModelInputs.of(SEGMIND_V4);
        input.remove("first_frame_url");

        assertThat(check(SEGMIND_V4, input)).containsExactly(
                new ErrorDetail("input.first_frame_url", "required", null));
    }

    @Test
    void requiresEveryParameterTheV4PageMarksRequired() {
        assertThat(check(SEGMIND_V4, ModelInputs.of(SEGMIND_V4).removeAll())).extracting(ErrorDetail::field)
                .containsExactlyInAnyOrder("input.prompt", "input.duration", "input.first_frame_url",
                        "input.last_frame_url", "input.motion_mode", "input.quality");
    }

    @Test
    void rejectsAFrameThatIsNotAnImageReference() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("last_frame_url", "file:///etc/passwd")))
                .extracting(ErrorDetail::field, ErrorDetail::rule)
                .containsExactly(tuple("input.last_frame_url", IMAGE_REFERENCE));
    }

    // The v5 model: hostile corpus case 53.
    @Test
    void rejects1080pAtEightSecondsOnPixverseTransitionV4() {
        ObjectNode input = ModelInputs.of(SEGMIND_V4).put("quality", "1080p").put("duration", 8);

        assertThat(check(SEGMIND_V4, input)).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("input.duration");
            assertThat(d.rule()).startsWith("1080p-max-5s");
        });
    }

    @Test
    void accepts1080pWithTheDefaultDurationOnPixverse5Transition() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("quality", "1080p"))).isEmpty();
    }

    @Test
    void acceptsEightSecondsAtTheDefaultQualityOnPixverse5Transition() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("duration", 8))).isEmpty();
    }

    @Test
    void rejectsAnAimlApiParameterOnASegmindModel() {
        assertThat(check(SEGMIND_V5, ModelInputs.of(SEGMIND_V5).put("resolution", "720p"))).containsExactly(
                new ErrorDetail("input.resolution", "unknown-field", null));
    }

    private List<ErrorDetail> check(String model, ObjectNode input) {
        return validator.validate(CATALOGUE.find(model, null).orElseThrow(), input);
    }
}
