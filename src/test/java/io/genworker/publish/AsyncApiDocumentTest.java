package io.genworker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.genworker.intake.DeadLetterPublisher;
import io.genworker.job.TraceContext;
import io.genworker.joblog.JobLog;
import io.genworker.joblog.RecordSchema;
import io.genworker.support.ContractSchemas;
import io.genworker.support.WorkerTopics;

/**
 * The AsyncAPI document the worker serves at /v1/asyncapi.yaml: valid against the official AsyncAPI 3.0.0 JSON
 * Schema (vendored in src/test/resources/asyncapi, see its README), every $ref resolving (into the document and into
 * the payload schemas, transitively), its examples fitting their schemas, and its names those of the code.
 */
class AsyncApiDocumentTest {

    static final String BASE = "META-INF/resources/v1/";
    static final String DOCUMENT = BASE + "asyncapi.yaml";
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode ASYNCAPI = read(DOCUMENT);

    @Test
    void theDocumentIsValidAsyncApi300() {
        Schema official = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("classpath:asyncapi/asyncapi-3.0.0.schema.json"));
        List<Error> errors = official.validate(ASYNCAPI);
        assertThat(errors).as("the document against the AsyncAPI 3.0.0 schema").isEmpty();
        assertThat(ASYNCAPI.path("asyncapi").asText()).isEqualTo("3.0.0");
    }

    @Test
    void everyReferenceResolves() {
        Map<String, JsonNode> loaded = new HashMap<>();
        loaded.put(DOCUMENT, ASYNCAPI);
        Deque<String> toWalk = new ArrayDeque<>(List.of(DOCUMENT));
        List<String> broken = new ArrayList<>();
        int references = 0;
        while (!toWalk.isEmpty()) {
            String file = toWalk.pop();
            for (String ref : references(loaded.get(file))) {
                references++;
                int hash = ref.indexOf('#');
                String target = hash == 0 ? file : resolve(file, hash < 0 ? ref : ref.substring(0, hash));
                String pointer = hash < 0 ? "" : ref.substring(hash + 1);
                JsonNode document = loaded.get(target);
                if (document == null) {
                    document = readOrNull(target);
                    if (document == null) {
                        broken.add(file + ": " + ref + " (no file " + target + ")");
                        continue;
                    }
                    loaded.put(target, document);
                    toWalk.push(target);
                }
                if (document.at(pointer).isMissingNode()) {
                    broken.add(file + ": " + ref + " (nothing at " + pointer + ")");
                }
            }
        }
        assertThat(broken).as("unresolved references").isEmpty();
        assertThat(loaded.keySet()).as("files the document reaches")
                .containsAll(ContractSchemas.ALL.stream().map(name -> BASE + "schemas/" + name).toList());
        assertThat(references).isGreaterThan(30);
    }

    @Test
    void everyExampleFitsItsPayloadSchema() {
        int checked = 0;
        for (Map.Entry<String, JsonNode> message : ASYNCAPI.at("/components/messages").properties()) {
            String payload = message.getValue().at("/payload/$ref").asText();
            if (payload.isEmpty()) {
                continue;
            }
            String schema = payload.substring(payload.lastIndexOf('/') + 1);
            for (JsonNode example : message.getValue().path("examples")) {
                ContractSchemas.assertValid(schema, example.path("payload"),
                        "example " + example.path("name").asText() + " of " + message.getKey());
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(5);
    }

    @Test
    void channelsAreTheWorkersTopics() {
        Set<String> addresses = new TreeSet<>();
        ASYNCAPI.path("channels").forEach(channel -> addresses.add(channel.path("address").asText()));
        assertThat(addresses).containsExactlyInAnyOrder(WorkerTopics.REQUESTS, WorkerTopics.JOBS,
                WorkerTopics.RESULTS, WorkerTopics.DLQ, "generation.control");
    }

    @Test
    void resultHeadersAreThoseThePublisherWrites() {
        JsonNode headers = ASYNCAPI.at("/components/schemas/resultHeaders/properties");
        assertThat(strings(headers.at("/ce_type/enum"))).containsExactlyInAnyOrder(ResultPublisher.TYPE_COMPLETED,
                ResultPublisher.TYPE_FAILED, ResultPublisher.TYPE_CANCELLED);
        assertThat(headers.at("/ce_source/const").asText()).isEqualTo(ResultPublisher.SOURCE);
        assertThat(fieldNames(headers)).contains("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject",
                "ce_time", "content-type", TraceContext.TRACEPARENT, TraceContext.TRACESTATE);
        for (String message : List.of("generationCompleted", "generationFailed", "generationCancelled")) {
            JsonNode type = ASYNCAPI.at("/components/messages/" + message + "/headers/allOf/1/properties/ce_type");
            assertThat(type.path("const").asText()).as(message).isEqualTo(
                    "generation." + message.substring("generation".length()).toLowerCase());
            JsonNode example = ASYNCAPI.at("/components/messages/" + message + "/examples/0");
            assertThat(example.at("/headers/ce_type").asText()).isEqualTo(type.path("const").asText());
            assertThat(example.at("/headers/ce_id").asText()).isEqualTo(example.at("/payload/jobId").asText() + "/"
                    + example.at("/payload/status").asText().toLowerCase());
        }
    }

    @Test
    void jobLogAndDeadLetterHeadersAreThoseTheWorkerWrites() {
        JsonNode jobLog = ASYNCAPI.at("/components/messages/jobRecord/headers/properties");
        assertThat(fieldNames(jobLog)).contains(JobLog.STATE_HEADER, RecordSchema.HEADER, JobLog.WRITER_HEADER,
                TraceContext.TRACEPARENT, TraceContext.TRACESTATE);
        assertThat(strings(jobLog.at("/" + JobLog.STATE_HEADER + "/enum"))).isEqualTo(strings(
                ContractSchemas.schema(ContractSchemas.JOB_RECORD).getSchemaNode().at("/properties/state/enum")));
        assertThat(strings(jobLog.at("/" + RecordSchema.HEADER + "/enum")))
                .contains(String.valueOf(RecordSchema.VERSION)).contains("4");
        assertThat(fieldNames(ASYNCAPI.at("/components/messages/deadLetter/headers/properties")))
                .containsExactlyInAnyOrder(DeadLetterPublisher.REASON, DeadLetterPublisher.ORIGINAL_TOPIC,
                        DeadLetterPublisher.ORIGINAL_PARTITION, DeadLetterPublisher.ORIGINAL_OFFSET,
                        DeadLetterPublisher.OMITTED);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every $ref value anywhere in a document. */
    private static List<String> references(JsonNode node) {
        List<String> found = new ArrayList<>();
        Deque<JsonNode> nodes = new ArrayDeque<>(List.of(node));
        while (!nodes.isEmpty()) {
            JsonNode next = nodes.pop();
            if (next.isObject() && next.path("$ref").isTextual()) {
                found.add(next.get("$ref").asText());
            }
            next.forEach(nodes::push);
        }
        return found;
    }

    /** A relative file reference, from the folder of the file it is in (classpath paths). */
    private static String resolve(String from, String relative) {
        String folder = from.substring(0, from.lastIndexOf('/') + 1);
        Deque<String> parts = new ArrayDeque<>();
        for (String part : (folder + relative).split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.equals(".") && !part.isEmpty()) {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    private static JsonNode read(String resource) {
        JsonNode node = readOrNull(resource);
        if (node == null) {
            throw new IllegalStateException("no " + resource + " on the classpath");
        }
        return node;
    }

    private static JsonNode readOrNull(String resource) {
        try (InputStream in = AsyncApiDocumentTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            return (resource.endsWith(".yaml") ? YAML : JSON).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
