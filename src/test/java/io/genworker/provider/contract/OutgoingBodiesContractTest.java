package io.genworker.provider.contract;

import static io.genworker.support.ModelIds.IMAGE_TO_VIDEO;
import static io.genworker.support.ModelIds.SEGMIND_V4;
import static io.genworker.support.ModelIds.SEGMIND_V5;
import static io.genworker.support.ModelIds.TEXT_TO_VIDEO;
import static io.genworker.support.ModelIds.TRANSITION;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;
import io.genworker.intake.ReadOutcome;
import io.genworker.intake.RequestReader;
import io.genworker.job.ErrorCode;
import io.genworker.job.ErrorDetail;
import io.genworker.job.JobRecord;
import io.genworker.provider.aimlapi.AimlApiProvider;
import io.genworker.provider.contract.CatalogueInputs.Case;
import io.genworker.provider.contract.SchemaViolations.Violation;
import io.genworker.provider.segmind.SegmindProvider;
import io.genworker.support.StubWorkerConfig;

/**
 * Sends every body the adapters can build through the request schemas the providers publish (copied into
 * {@code src/test/resources/contract/schemas}), and checks the other way round that whatever those schemas refuse,
 * intake refuses first, before any paid call. Inputs come from the catalogue's own description of each model, go
 * through the real {@link RequestReader}, and become bodies through the adapters' own {@code requestBody}, serialized
 * as {@code submit} serializes it. Wrong inputs also come from each schema's own constraints ({@link
 * SchemaViolations}), so that the catalogue is not checked only against itself.
 */
class OutgoingBodiesContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(JSON);
    private static final PublishedSchemas SCHEMAS = new PublishedSchemas(CATALOGUE, JSON);
    private static final RequestReader READER = new RequestReader(CATALOGUE, new StubWorkerConfig());
    private static final Map<String, Function<JobRecord, ObjectNode>> ADAPTERS = Map.of(
            AimlApiProvider.ID, new AimlApiProvider(null, JSON, new StubWorkerConfig(), null, Clock.systemUTC())
                    ::requestBody,
            SegmindProvider.ID, new SegmindProvider(null, JSON, new StubWorkerConfig(), null, Clock.systemUTC())
                    ::requestBody);

    private static final String JOB_ID = "contract-1";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Bodies validated per model, printed once at the end. */
    private static final Map<String, AtomicInteger> VALIDATED = new ConcurrentHashMap<>();

    @AfterAll
    static void sayHowManyBodiesWereValidated() {
        System.out.println("CONTRACT bodies validated against the published schemas: " + new TreeMap<>(VALIDATED));
    }

    // ---- the schemas ---------------------------------------------------------------------------------------

    @Test
    void everyCatalogueModelHasOnePublishedSchemaAndEverySchemaAModel() throws IOException, URISyntaxException {
        Path root = Path.of(getClass().getClassLoader().getResource(PublishedSchemas.ROOT).toURI());
        Set<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(file -> file.toString().endsWith(".json"))
                    .map(file -> PublishedSchemas.ROOT + "/" + root.relativize(file).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }

        assertThat(files).containsExactlyInAnyOrderElementsOf(
                CATALOGUE.models().stream().map(PublishedSchemas::resource).toList());
    }

    // ---- what the adapters send ------------------------------------------------------------------------------

    static Stream<Case> acceptedInputs() {
        return CATALOGUE.models().stream().flatMap(spec -> CatalogueInputs.accepted(spec).stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedInputs")
    void theBodySentForAnAcceptedInputFitsThePublishedSchema(Case accepted) {
        ReadOutcome outcome = read(accepted.spec(), accepted.input());
        assertThat(outcome).as("intake accepts %s", accepted).isInstanceOf(ReadOutcome.Valid.class);

        JsonNode body = sentBody(accepted.spec(), ((ReadOutcome.Valid) outcome).request().input());

        assertThat(validate(accepted.spec(), body)).as("body %s", shorten(body)).isEmpty();
    }

    static Stream<Named<ModelSpec>> models() {
        return CATALOGUE.models().stream().map(spec -> Named.of(spec.provider() + " " + spec.model(), spec));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyAcceptedCombinationOfEnumValuesIsSentAsASchemaValidBody(ModelSpec spec) {
        Map<String, String> firstInputPerMismatch = new TreeMap<>();
        Map<String, Integer> inputsPerMismatch = new TreeMap<>();
        int accepted = 0;
        for (ObjectNode input : CatalogueInputs.enumCombinations(spec)) {
            ReadOutcome outcome = read(spec, input);
            if (outcome instanceof ReadOutcome.Valid valid) {
                accepted++;
                for (String mismatch : validate(spec, sentBody(spec, valid.request().input()))) {
                    firstInputPerMismatch.putIfAbsent(mismatch, input.toString());
                    inputsPerMismatch.merge(mismatch, 1, Integer::sum);
                }
            } else {
                // Every value is in its enum: only a rule between fields (1080p-max-5s) may refuse the combination.
                assertThat(details(outcome)).as("%s", input).allMatch(detail -> spec.rules().stream()
                        .anyMatch(rule -> detail.rule().startsWith(rule.rule() + ":")));
            }
        }

        assertThat(accepted).isPositive();
        assertThat(firstInputPerMismatch).as("each mismatch with the first input that made it (inputs per mismatch: %s)",
                inputsPerMismatch).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theAdapterFillsEveryFieldTheSchemaRequiresAndTheCatalogueLeavesOptional(ModelSpec spec) {
        JsonNode body = sentBody(spec, CatalogueInputs.minimal(spec));

        for (String field : SCHEMAS.required(spec)) {
            ParameterSpec param = spec.parameters().get(field);
            if (param != null && !param.required()) {
                assertThat(param.defaultValue()).as("catalogue default of %s", field).isNotNull();
                assertThat(body.get(field)).as("%s filled with the documented default", field)
                        .isEqualTo(param.defaultValue());
            }
        }
        assertThat(validate(spec, body)).isEmpty();
    }

    // ---- what intake refuses before any call ---------------------------------------------------------------

    /** Whether the published schema itself can tell that the input is wrong. */
    enum SchemaVerdict {
        REJECTS,
        /** A rule that the docs state only in prose (1080p/8 s) or that only the catalogue adds (AI/ML seed range). */
        CANNOT_TELL
    }

    record Refused(String name, ModelSpec spec, ObjectNode input, String field, SchemaVerdict schema) {
        @Override
        public String toString() {
            return spec.model() + ": " + name;
        }
    }

    static Stream<Refused> refusedInputs() {
        return Stream.of(
                refused(TEXT_TO_VIDEO, "resolution 4k", "resolution", in -> in.put("resolution", "4k")),
                refused(TEXT_TO_VIDEO, "aspect_ratio 21:9", "aspect_ratio", in -> in.put("aspect_ratio", "21:9")),
                refused(TEXT_TO_VIDEO, "seed 1.5", "seed", in -> in.put("seed", 1.5)),
                refused(TEXT_TO_VIDEO, "seed 2^31, beyond the catalogue's range (the schema sets none)", "seed",
                        in -> in.put("seed", 2147483648L), SchemaVerdict.CANNOT_TELL),
                refused(TEXT_TO_VIDEO, "1080p with 8 s", "duration",
                        in -> in.put("resolution", "1080p").put("duration", 8), SchemaVerdict.CANNOT_TELL),
                refused(TEXT_TO_VIDEO, "no prompt", "prompt", in -> in.remove("prompt")),
                refused(IMAGE_TO_VIDEO, "style watercolor", "style", in -> in.put("style", "watercolor")),
                refused(IMAGE_TO_VIDEO, "seed as text", "seed", in -> in.put("seed", "42")),
                refused(IMAGE_TO_VIDEO, "1080p with 8 s", "duration",
                        in -> in.put("resolution", "1080p").put("duration", 8), SchemaVerdict.CANNOT_TELL),
                refused(IMAGE_TO_VIDEO, "no image_url", "image_url", in -> in.remove("image_url")),
                refused(TRANSITION, "duration 10", "duration", in -> in.put("duration", 10)),
                refused(TRANSITION, "lip_sync_tts_speaker Bob", "lip_sync_tts_speaker",
                        in -> in.put("lip_sync_tts_speaker", "Bob")),
                refused(TRANSITION, "1080p with 8 s", "duration",
                        in -> in.put("resolution", "1080p").put("duration", 8), SchemaVerdict.CANNOT_TELL),
                refused(TRANSITION, "no tail_image_url", "tail_image_url", in -> in.remove("tail_image_url")),
                refused(SEGMIND_V5, "motion_mode fast (only the v4 model has it)", "motion_mode",
                        in -> in.put("motion_mode", "fast")),
                refused(SEGMIND_V5, "quality 4k", "quality", in -> in.put("quality", "4k")),
                refused(SEGMIND_V5, "speaker id 15", "lip_sync_tts_speaker_id",
                        in -> in.put("lip_sync_tts_speaker_id", "15")),
                refused(SEGMIND_V5, "seed 0", "seed", in -> in.put("seed", 0)),
                refused(SEGMIND_V5, "seed 1000000", "seed", in -> in.put("seed", 1000000)),
                refused(SEGMIND_V5, "1080p with 8 s", "duration",
                        in -> in.put("quality", "1080p").put("duration", 8), SchemaVerdict.CANNOT_TELL),
                refused(SEGMIND_V5, "no prompt", "prompt", in -> in.remove("prompt")),
                refused(SEGMIND_V4, "motion_mode slow", "motion_mode", in -> in.put("motion_mode", "slow")),
                refused(SEGMIND_V4, "seed 0", "seed", in -> in.put("seed", 0)),
                refused(SEGMIND_V4, "seed 1000000", "seed", in -> in.put("seed", 1000000)),
                refused(SEGMIND_V4, "1080p with 8 s", "duration",
                        in -> in.put("quality", "1080p").put("duration", 8), SchemaVerdict.CANNOT_TELL),
                refused(SEGMIND_V4, "no first_frame_url", "first_frame_url", in -> in.remove("first_frame_url")),
                refused(SEGMIND_V4, "no motion_mode", "motion_mode", in -> in.remove("motion_mode")),
                refused(SEGMIND_V4, "no quality", "quality", in -> in.remove("quality")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedInputs")
    void anInputThePublishedRulesForbidIsRefusedBeforeAnyProviderCall(Refused refused) {
        List<String> mismatches = validate(refused.spec(), sentBody(refused.spec(), refused.input()));
        if (refused.schema() == SchemaVerdict.REJECTS) {
            assertThat(mismatches).as("the schema's verdict on the body this input would make")
                    .anyMatch(mismatch -> mismatch.contains(refused.field()));
        } else {
            assertThat(mismatches).as("the schema's verdict on the body this input would make").isEmpty();
        }

        assertRefusedNaming(read(refused.spec(), refused.input()), refused.field());
    }

    static Stream<Violation> schemaViolations() {
        return CATALOGUE.models().stream().flatMap(spec -> SchemaViolations.of(spec, SCHEMAS.schema(spec)).stream());
    }

    /**
     * The wrong inputs above come from the catalogue's rules or from a list written by hand; these come from the
     * published schema's own constraints, so a rule the provider states and the catalogue lacks is caught too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaViolations")
    void anInputBreakingAConstraintOfThePublishedSchemaIsRefusedBeforeAnyProviderCall(Violation violation) {
        JsonNode body = sentBody(violation.spec(), violation.input());
        List<String> mismatches = validate(violation.spec(), body);
        if (violation.leftOut() && mismatches.isEmpty()) {
            // Sent anyway: the adapter names the AI/ML API model and fills Segmind's documented defaults.
            assertThat(body.has(violation.property())).as("the adapter supplies %s", violation.property()).isTrue();
            return;
        }
        assertThat(mismatches).as("the schema's verdict on the body %s", shorten(body))
                .anyMatch(mismatch -> mismatch.contains(violation.property()));

        assertRefusedNaming(read(violation.spec(), violation.input()), violation.property());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyOneValueMistakeThePublishedSchemaRejectsIsRefusedByIntake(ModelSpec spec) {
        List<String> slipsThrough = new ArrayList<>();
        int rejectedBySchema = 0;
        for (Case mistake : CatalogueInputs.oneMistakeAway(spec)) {
            List<String> mismatches = validate(spec, sentBody(spec, mistake.input()));
            ReadOutcome outcome = read(spec, mistake.input());
            if (!mismatches.isEmpty()) {
                rejectedBySchema++;
            }
            if (!mismatches.isEmpty() && outcome instanceof ReadOutcome.Valid valid) {
                slipsThrough.add(mistake + " -> sends " + shorten(sentBody(spec, valid.request().input())) + ": "
                        + mismatches);
            }
        }

        assertThat(rejectedBySchema).isPositive();
        assertThat(slipsThrough).as("inputs intake accepts although the provider's schema rejects their body")
                .isEmpty();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static Refused refused(String model, String name, String field, Consumer<ObjectNode> change) {
        return refused(model, name, field, change, SchemaVerdict.REJECTS);
    }

    private static Refused refused(String model, String name, String field, Consumer<ObjectNode> change,
            SchemaVerdict schema) {
        ModelSpec spec = CATALOGUE.find(model, null).orElseThrow();
        ObjectNode input = CatalogueInputs.minimal(spec);
        change.accept(input);
        return new Refused(name, spec, input, field, schema);
    }

    /** Intake's verdict on a request for this model carrying this input, read from its bytes. */
    private static ReadOutcome read(ModelSpec spec, ObjectNode input) {
        ObjectNode request = JSON.createObjectNode().put("jobId", JOB_ID).put("model", spec.model())
                .put("provider", spec.provider());
        request.set("input", input);
        return READER.read(JOB_ID, request.toString().getBytes(UTF_8), "generation.requests-0@0");
    }

    /** The body the adapter sends for a job with this input, as text on the wire and read back. */
    private static JsonNode sentBody(ModelSpec spec, ObjectNode input) {
        JobRecord job = JobRecord.requested(JOB_ID, spec.provider(), spec.model(), input, null, NOW,
                NOW.plusSeconds(1200)).submitting(NOW);
        String wire = ADAPTERS.get(spec.provider()).apply(job).toString();
        try {
            return JSON.readTree(wire);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> validate(ModelSpec spec, JsonNode body) {
        VALIDATED.computeIfAbsent(spec.provider() + " " + spec.model(), model -> new AtomicInteger())
                .incrementAndGet();
        return SCHEMAS.mismatches(spec, body);
    }

    /** Refused at intake, as an invalid request naming the field: no provider call is made for it. */
    private static void assertRefusedNaming(ReadOutcome outcome, String field) {
        assertThat(outcome).as("intake's verdict").isInstanceOf(ReadOutcome.Invalid.class);
        assertThat(((ReadOutcome.Invalid) outcome).error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(details(outcome)).extracting(ErrorDetail::field).contains("input." + field);
    }

    private static List<ErrorDetail> details(ReadOutcome outcome) {
        assertThat(outcome).isInstanceOf(ReadOutcome.Invalid.class);
        return ((ReadOutcome.Invalid) outcome).error().details();
    }

    /** A body fit for a failure message: long values (data URIs) cut. */
    private static String shorten(JsonNode body) {
        String text = body.toString();
        return text.length() > 500 ? text.substring(0, 500) + "...(" + text.length() + " chars)" : text;
    }
}
