package io.genworker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.job.ErrorDetail;
import io.genworker.support.ContractSchemas;
import io.genworker.support.StubWorkerConfig;

/**
 * The published request schema (and the cancel command's) against the real rules: the samples fit it as intake
 * takes them, and every envelope it refuses intake refuses too, for the same field. The per-model input schemas are
 * generated from the catalogue (InputSchemasTest); the schema's models and providers are held to it here.
 */
class RequestSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(JSON);
    private static final RequestReader READER = new RequestReader(CATALOGUE, new StubWorkerConfig().intake(), 7200);

    @Test
    void theSamplesAreRequests() throws IOException {
        List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of("samples"))) {
            samples = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(samples).isNotEmpty();
        for (Path sample : samples) {
            List<String> violations = ContractSchemas.violations(ContractSchemas.REQUEST,
                    JSON.readTree(sample.toFile()));
            // A sample may break an input rule (invalid-1080p-8s.json does): never an envelope rule, and the schema
            // says so as intake does.
            ReadOutcome outcome = READER.read("sample-1", Files.readAllBytes(sample), "fallback");
            if (outcome instanceof ReadOutcome.Invalid invalid) {
                assertThat(invalid.error().details()).as(sample.toString()).extracting(ErrorDetail::field)
                        .allMatch(field -> field.startsWith("input."));
                assertThat(violations).as(sample.toString()).isNotEmpty()
                        .allSatisfy(v -> assertThat(v).contains("/input"));
            } else {
                assertThat(outcome).as(sample.toString()).isInstanceOf(ReadOutcome.Valid.class);
                assertThat(violations).as(sample.toString()).isEmpty();
            }
        }
    }

    @Test
    void everyFieldOfTheEnvelopeFitsAndNullCountsAsLeftOut() throws IOException {
        ObjectNode full = (ObjectNode) JSON.readTree("""
                {"jobId": "job-1.retry-1", "model": "pixverse/v5/text-to-video", "provider": "aimlapi",
                 "input": {"prompt": "a cat"}, "timeoutSeconds": 7200, "metadata": {"tenant": "t1"},
                 "retryOf": "job-1"}""");
        ContractSchemas.assertValid(ContractSchemas.REQUEST, full, "a request with every field");
        ObjectNode nulls = (ObjectNode) JSON.readTree("""
                {"jobId": null, "model": "pixverse/v5/text-to-video", "provider": null, "input": {"prompt": "a cat"},
                 "timeoutSeconds": null, "metadata": null}""");
        ContractSchemas.assertValid(ContractSchemas.REQUEST, nulls, "a request with null optional fields");
        assertThat(READER.read("job-1", JSON.writeValueAsBytes(nulls), "fallback"))
                .isInstanceOf(ReadOutcome.Valid.class);
    }

    static Stream<Arguments> badEnvelopes() {
        String ok = "\"model\": \"pixverse/v5/text-to-video\", \"input\": {\"prompt\": \"a cat\"}";
        return Stream.of(
                Arguments.of("{" + ok + ", \"colour\": \"red\"}", "colour", "'colour'"),
                Arguments.of("{\"input\": {\"prompt\": \"a cat\"}}", "model", "required"),
                Arguments.of("{\"model\": \"pixverse/v5/text-to-video\"}", "input", "required"),
                Arguments.of("{" + ok.replace("{\"prompt\": \"a cat\"}", "\"a cat\"") + "}", "input", "/input"),
                Arguments.of("{\"model\": \" \", \"input\": {}}", "model", "/model"),
                Arguments.of("{" + ok + ", \"jobId\": \"-starts-with-a-dash\"}", "jobId", "/jobId"),
                Arguments.of("{" + ok + ", \"jobId\": \"has space\"}", "jobId", "/jobId"),
                Arguments.of("{" + ok + ", \"jobId\": \"" + "j".repeat(129) + "\"}", "jobId", "/jobId"),
                Arguments.of("{" + ok + ", \"jobId\": 42}", "jobId", "/jobId"),
                Arguments.of("{" + ok + ", \"timeoutSeconds\": 0}", "timeoutSeconds", "/timeoutSeconds"),
                Arguments.of("{" + ok + ", \"timeoutSeconds\": 7201}", "timeoutSeconds", "/timeoutSeconds"),
                Arguments.of("{" + ok + ", \"timeoutSeconds\": 1.5}", "timeoutSeconds", "/timeoutSeconds"),
                Arguments.of("{" + ok + ", \"metadata\": [1, 2]}", "metadata", "/metadata"),
                Arguments.of("{" + ok + ", \"metadata\": \"tenant-1\"}", "metadata", "/metadata"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badEnvelopes")
    void anEnvelopeTheSchemaRefusesIntakeRefusesForTheSameField(String request, String field, String where)
            throws IOException {
        JsonNode node = JSON.readTree(request);
        List<String> violations = ContractSchemas.violations(ContractSchemas.REQUEST, node);
        assertThat(violations).as("schema verdict on " + request).isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains(where));
        ReadOutcome outcome = READER.read(null, request.getBytes(), "fallback-1");
        assertThat(outcome).as("intake's verdict on " + request).isInstanceOf(ReadOutcome.Invalid.class);
        assertThat(((ReadOutcome.Invalid) outcome).error().details()).extracting(ErrorDetail::field).contains(field);
    }

    @Test
    void retryOfIsAJobId() throws IOException {
        String request = "{\"model\": \"pixverse/v5/text-to-video\", \"input\": {\"prompt\": \"a cat\"}, "
                + "\"retryOf\": \"%s\"}";
        assertThat(ContractSchemas.violations(ContractSchemas.REQUEST, JSON.readTree(request.formatted("job-1"))))
                .isEmpty();
        assertThat(ContractSchemas.violations(ContractSchemas.REQUEST, JSON.readTree(request.formatted("no/ spaces"))))
                .anySatisfy(v -> assertThat(v).contains("/retryOf"));
    }

    @Test
    void theSchemaNamesTheCataloguesModelsAndProviders() {
        JsonNode request = ContractSchemas.schema(ContractSchemas.REQUEST).getSchemaNode();
        Set<String> models = new TreeSet<>();
        request.at("/properties/model/examples").forEach(m -> models.add(m.asText()));
        assertThat(models).isEqualTo(new TreeSet<>(CATALOGUE.models().stream().map(ModelSpec::model).toList()));
        Set<String> providers = new TreeSet<>();
        ContractSchemas.schema(ContractSchemas.COMMON).getSchemaNode().at("/$defs/provider/enum")
                .forEach(p -> providers.add(p.asText()));
        assertThat(providers).isEqualTo(new TreeSet<>(CATALOGUE.models().stream().map(ModelSpec::provider).toList()));
    }

    @Test
    void aCancelCommandHasTheContractsFieldsAndNoOthers() throws IOException {
        ContractSchemas.assertValid(ContractSchemas.CONTROL, JSON.readTree("""
                {"type": "cancel", "jobId": "job-42", "reason": "duplicate order", "requestedBy": "billing"}"""),
                "a full cancel command");
        ContractSchemas.assertValid(ContractSchemas.CONTROL, JSON.readTree("{\"type\": \"cancel\"}"),
                "a cancel command naming its job by the record key alone");
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree(
                "{\"type\": \"cancel\", \"force\": true}"))).anySatisfy(v -> assertThat(v).contains("force"));
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree("{\"type\": \"pause\"}")))
                .anySatisfy(v -> assertThat(v).contains("/type"));
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree("{\"jobId\": \"job-42\"}")))
                .anySatisfy(v -> assertThat(v).contains("type"));
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree(
                "{\"type\": \"cancel\", \"reason\": \"" + "r".repeat(501) + "\"}")))
                .anySatisfy(v -> assertThat(v).contains("/reason"));
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree(
                "{\"type\": \"cancel\", \"requestedBy\": \"" + "r".repeat(201) + "\"}")))
                .anySatisfy(v -> assertThat(v).contains("/requestedBy"));
        assertThat(ContractSchemas.violations(ContractSchemas.CONTROL, JSON.readTree(
                "{\"type\": \"cancel\", \"jobId\": \"" + "j".repeat(129) + "\"}")))
                .anySatisfy(v -> assertThat(v).contains("/jobId"));
    }
}
