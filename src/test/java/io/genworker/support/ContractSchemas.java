package io.genworker.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * is validated, so an event the code writes and the schemas do not describe fails the test that saw it.
 */
public final class ContractSchemas {

    /** Where the schemas live on the classpath (src/main/resources), as the worker serves them. */
    public static final String ROOT = "META-INF/resources/v1/schemas/";
    public static final String REQUEST = "request.json";
    public static final String RESULT = "result.json";
    public static final String CONTROL = "control.json";
    public static final String JOB_RECORD = "job-record.json";
    public static final String COMMON = "common.json";
    public static final List<String> ALL = List.of(COMMON, REQUEST, RESULT, CONTROL, JOB_RECORD);

    /** Formats (date-time) asserted, not only annotated: an Instant written as a number must fail. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
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
            assertValid(schema, parse(where, value), where + " (key " + shortened(record.key()) + ")");
            if (VALID.size() >= MAX_REMEMBERED) {
                VALID.clear();
            }
            VALID.add(seen);
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
