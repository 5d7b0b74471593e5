package io.genworker.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import io.genworker.joblog.JobLog;

/**
 * The Kafka contract's JSON Schemas (served by the worker under /v1/schemas/, from {@value #ROOT}), loaded once per
 * test JVM and shared by every test that reads the worker's topics: each result and each job-log record a test sees
 * is validated, its headers against the AsyncAPI document's, so an event the code writes and the contract does not
 * describe fails the test that saw it.
 */
public final class ContractSchemas {

    /** Where the schemas live on the classpath (src/main/resources), as the worker serves them. */
    public static final String ROOT = "META-INF/resources/v1/schemas/";
    public static final String REQUEST = "request.json";
    public static final String RESULT = "result.json";
    public static final String CONTROL = "control.json";
    public static final String JOB_RECORD = "job-record.json";
    public static final String COMMON = "common.json";
    /** Each model's input, generated from the catalogue (InputSchemasTest). */
    public static final String INPUTS = "inputs.json";
    public static final List<String> ALL = List.of(COMMON, INPUTS, REQUEST, RESULT, CONTROL, JOB_RECORD);

    /** Formats (date-time) asserted, not only annotated: an Instant written as a number must fail. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
    /** The AsyncAPI document, whose messages' header schemas (AsyncAPI schema objects, draft 7) the headers fit. */
    static final String ASYNCAPI = "META-INF/resources/v1/asyncapi.yaml";
    private static final SchemaRegistry HEADER_REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_7, builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    /**
     * Records already found valid, by position and value: tests that await a state read the same records again and
     * again, which are validated once. Bounded: forgotten in bulk past the cap (then validated again).
     */
    private static final Set<String> VALID = ConcurrentHashMap.newKeySet();
    private static final int MAX_REMEMBERED = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContractSchemas() {
    }

    /** A schema by file name, loaded (with the files it refers to) on first use. */
    public static Schema schema(String name) {
        return SCHEMAS.computeIfAbsent(name, n -> {
            Schema schema = REGISTRY.getSchema(SchemaLocation.of("classpath:" + ROOT + n));
            schema.initializeValidators();
            return schema;
        });
    }

    /**
     * The header schema of a message of the AsyncAPI document, by message name, loaded on first use: its references
     * into the document inlined (the document as a whole is no JSON Schema).
     */
    public static Schema headerSchema(String message) {
        return SCHEMAS.computeIfAbsent("headers of " + message, n -> {
            JsonNode document = asyncApi();
            Schema schema = HEADER_REGISTRY.getSchema(inlined(document.at("/components/messages/" + message
                    + "/headers"), document));
            schema.initializeValidators();
            return schema;
        });
    }

    private static JsonNode asyncApi() {
        try (InputStream in = ContractSchemas.class.getClassLoader().getResourceAsStream(ASYNCAPI)) {
            if (in == null) {
                throw new IllegalStateException("no " + ASYNCAPI + " on the classpath");
            }
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the node with every reference into the document replaced by what it names. */
    private static JsonNode inlined(JsonNode node, JsonNode document) {
        if (node.isObject() && node.path("$ref").asText().startsWith("#/")) {
            JsonNode target = document.at(node.get("$ref").asText().substring(1));
            if (target.isMissingNode()) {
                throw new IllegalStateException("unresolved " + node.get("$ref") + " in " + ASYNCAPI);
            }
            return inlined(target, document);
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.properties().forEach(field -> copy.set(field.getKey(), inlined(field.getValue(), document)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(item -> copy.add(inlined(item, document)));
            return copy;
        }
        return node;
    }

    /** Every way the instance breaks the schema, as the validator words it; empty when it fits. */
    public static List<String> violations(String name, JsonNode instance) {
        return schema(name).validate(instance).stream().map(Error::toString).toList();
    }

    /** Fails with the validator's messages when the instance breaks the schema. */
    public static void assertValid(String name, JsonNode instance, String what) {
        List<String> violations = violations(name, instance);
        if (!violations.isEmpty()) {
            throw new AssertionError(what + " does not fit " + ROOT + name + ": " + violations + "\n" + instance);
        }
    }

    /**
     * Validates the records a test read from a worker topic: every result, and every job-log record the worker
     * wrote (those carrying {@value JobLog#WRITER_HEADER}; records a test writes itself to play a newer or foreign
     * writer are no part of the contract). Other topics are left alone: requests are the test's own, and dead letters
     * have no format.
     */
    public static void assertContract(List<? extends ConsumerRecord<String, ?>> records) {
        for (ConsumerRecord<String, ?> record : records) {
            String schema = switch (record.topic()) {
                case WorkerTopics.RESULTS -> RESULT;
                case WorkerTopics.JOBS -> JOB_RECORD;
                default -> null;
            };
            if (schema == null || record.value() == null || schema.equals(JOB_RECORD) && !writtenByAWorker(record)) {
                continue;
            }
            String value = record.value() instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : record.value().toString();
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            String seen = where + "#" + value.hashCode();
            if (VALID.contains(seen)) {
                continue;
            }
            JsonNode body = parse(where, value);
            String what = where + " (key " + shortened(record.key()) + ")";
            assertValid(schema, body, what);
            assertHeaders(record, body, what);
            if (VALID.size() >= MAX_REMEMBERED) {
                VALID.clear();
            }
            VALID.add(seen);
        }
    }

    /**
     * The record's headers against its message's header schema in the AsyncAPI document (a result's by its status:
     * ce_type must be that status's), and what ties them to the body: a result's ce_id and ce_subject, a job-log
     * record's state.
     */
    private static void assertHeaders(ConsumerRecord<String, ?> record, JsonNode body, String what) {
        ObjectNode headers = JSON.createObjectNode();
        for (Header header : record.headers()) {
            String text = header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            if (headers.has(header.key())) {
                throw new AssertionError(what + ": header " + header.key() + " given twice");
            }
            headers.put(header.key(), text);
        }
        List<String> problems = new ArrayList<>();
        String message;
        if (record.topic().equals(WorkerTopics.RESULTS)) {
            String status = body.path("status").asText().toLowerCase();
            message = "generation" + status.substring(0, 1).toUpperCase() + status.substring(1);
            if (!headers.path("ce_id").asText().equals(body.path("jobId").asText() + "/" + status)) {
                problems.add("ce_id " + headers.path("ce_id") + " is not <jobId>/" + status);
            }
            if (!headers.path("ce_subject").asText().equals(record.key())) {
                problems.add("ce_subject " + headers.path("ce_subject") + " is not the key");
            }
        } else {
            message = "jobRecord";
            if (!headers.path(JobLog.STATE_HEADER).asText().equals(body.path("state").asText())) {
                problems.add(JobLog.STATE_HEADER + " " + headers.path(JobLog.STATE_HEADER) + " is not the state");
            }
        }
        headerSchema(message).validate(headers).forEach(error -> problems.add(error.toString()));
        if (!problems.isEmpty()) {
            throw new AssertionError(what + ": headers do not fit " + ASYNCAPI + " (" + message + "): " + problems
                    + "\n" + headers);
        }
    }

    private static String shortened(String key) {
        return key == null || key.length() <= 200 ? key : key.substring(0, 200) + "...";
    }

    private static boolean writtenByAWorker(ConsumerRecord<String, ?> record) {
        Header writer = record.headers().lastHeader(JobLog.WRITER_HEADER);
        return writer != null && writer.value() != null
                && !new String(writer.value(), StandardCharsets.UTF_8).isEmpty();
    }

    private static JsonNode parse(String where, String value) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            throw new AssertionError(where + " is not JSON: " + value, e);
        }
    }
}
