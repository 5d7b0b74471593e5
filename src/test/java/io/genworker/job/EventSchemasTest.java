package io.genworker.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.joblog.RecordSchema;
import io.genworker.support.ContractSchemas;

/**
 * The result and job-log schemas against what the code writes: a record of every state, built by the same factory
 * methods the tracker uses and serialized as the worker serializes them, must fit; records that break a rule must
 * not, for that rule. The flow tests then validate every event the real worker writes.
 */
class EventSchemasTest {

    /**
     * As Quarkus configures the mapper the worker writes with (quarkus.jackson defaults: Java time module, Instants
     * as ISO-8601 text, unknown properties ignored when reading); the flow tests check the real one.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LATER = Instant.parse("2026-01-01T00:01:10.123456789Z");
    private static final Video VIDEO = new Video("https://cdn.example.com/output.mp4", "video/mp4", "output.mp4",
            6274330L);
    private static final VideoArchive COPY = new VideoArchive("videos", "videos/job-1/output.mp4",
            "https://store.example.com/videos/job-1/output.mp4?X-Amz-Signature=abc", "9f2c".repeat(16), 6274330L);
    private static final JobError ARCHIVE_FAILED = JobError.of(ErrorCode.ARCHIVE_FAILED,
            "the video could not be copied: 403 from the provider's URL");
    private static final JobError REFUSAL = JobError.of(ErrorCode.INVALID_REQUEST, "2 rule(s) broken",
            List.of(new ErrorDetail("input.duration", "1080p-max-5s: 1080p does not support 8-second videos", 8),
                    new ErrorDetail("input", "required", null),
                    new ErrorDetail("request", "maxDetails:20", 3)));

    /** Every kind of record the tracker and intake write, by name. */
    private static Map<String, JobRecord> records() {
        ObjectNode input = MAPPER.createObjectNode().put("prompt", "a cat").put("duration", 5);
        ObjectNode metadata = MAPPER.createObjectNode().put("tenant", "t1");
        metadata.putObject("nested").putArray("tags").add("a");
        JobRecord requested = JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video", input, metadata,
                NOW, NOW.plusSeconds(900)).withTrace(new TraceContext(
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=abc"));
        JobRecord submitting = requested.submitting(NOW.plusMillis(5));
        JobRecord submitted = submitting.submitted("gen-1:pixverse/v5/text-to-video", 840000.0, NOW.plusSeconds(1));
        JobRecord archiving = submitted.archiving(VIDEO, null, 7, LATER);
        Map<String, JobRecord> all = new LinkedHashMap<>();
        all.put("requested", requested);
        all.put("requested without metadata or trace", JobRecord.requested("job-9", "segmind",
                "pixverse-transition", input, null, NOW, NOW.plusSeconds(60)));
        all.put("submitting", submitting);
        all.put("withdrawn", submitting.submitRefused(NOW.plusSeconds(1)));
        all.put("submitted", submitted);
        all.put("archiving", archiving);
        all.put("completed", submitted.completed(VIDEO, null, 7, LATER).withoutInput());
        all.put("completed with its copy", archiving.archived(COPY, LATER.plusSeconds(3)));
        all.put("completed without its copy", archiving.completedUnarchived(ARCHIVE_FAILED, LATER.plusSeconds(3)));
        all.put("archive failed", archiving.archiveFailed(ARCHIVE_FAILED, LATER.plusSeconds(3)));
        all.put("timed out", submitted.failed(JobError.of(ErrorCode.TIMEOUT, "deadline passed"), 12, LATER)
                .withoutInput());
        all.put("submit uncertain", submitting.failed(JobError.of(ErrorCode.SUBMIT_UNCERTAIN, "interrupted"), 0,
                LATER).withoutInput());
        all.put("duplicate re-asserted", submitted.completed(VIDEO, 10.5, 7, LATER).withoutInput()
                .reasserted(LATER.plusSeconds(60)));
        all.put("refusal", JobRecord.refusal("job-2", "aimlapi", "pixverse/v5/text-to-video", metadata, REFUSAL,
                NOW));
        all.put("refusal naming nothing", JobRecord.refusal("invalid-generation.requests-0-17", null, null, null,
                JobError.of(ErrorCode.INVALID_REQUEST, "1 rule(s) broken: model required",
                        List.of(new ErrorDetail("model", "required", null))), NOW));
        all.put("refusal of an unknown model", JobRecord.refusal("job-3", "elsewhere", "no-such-model", null,
                JobError.of(ErrorCode.UNSUPPORTED_MODEL, "model 'no-such-model' is not supported",
                        List.of(new ErrorDetail("provider", "supported-model", "elsewhere"))), NOW));
        all.put("refused", JobRecord.refused("job-2", "aimlapi", "pixverse/v5/text-to-video", metadata, REFUSAL,
                NOW));
        return all;
    }

    @Test
    void everyJobLogRecordTheWorkerWritesFitsTheJobLogSchema() {
        records().forEach((name, record) -> ContractSchemas.assertValid(ContractSchemas.JOB_RECORD,
                MAPPER.valueToTree(record), name + " record"));
    }

    @Test
    void everyResultTheWorkerWritesFitsTheResultSchema() {
        records().forEach((name, record) -> {
            if (record.state().isTerminal()) {
                ContractSchemas.assertValid(ContractSchemas.RESULT, MAPPER.valueToTree(JobResult.of(record)),
                        name + " result");
            }
        });
    }

    @Test
    void cancellationRecordsAndResultsFitAsTheWorkerWritesThem() {
        Cancellation asked = Cancellation.requested(NOW.plusSeconds(29), "duplicate order", "billing-service");
        JobRecord submitted = records().get("submitted");
        JobRecord retry = JobRecord.requested("job-0.retry-1", "aimlapi", "pixverse/v5/text-to-video",
                MAPPER.createObjectNode().put("prompt", "a cat"), null, NOW, LATER, "job-0");
        JobRecord cancelled = submitted.cancelled(asked.ended(Cancellation.Outcome.MAY_BE_BILLED), 3, LATER);
        JobRecord billed = submitted.archiving(VIDEO, null, 4, LATER)
                .cancelled(asked.ended(Cancellation.Outcome.BILLED), 4, LATER);
        JobRecord neverSubmitted = retry.cancelled(asked.ended(Cancellation.Outcome.NOT_SUBMITTED), 0, LATER);
        JobRecord command = JobRecord.cancelRequest("job-1", asked, NOW);

        ContractSchemas.assertValid(ContractSchemas.JOB_RECORD, MAPPER.valueToTree(retry), "a retry's request");
        ContractSchemas.assertValid(ContractSchemas.JOB_RECORD, MAPPER.valueToTree(command),
                "a CANCEL_REQUESTED record");
        for (JobRecord end : List.of(cancelled, billed, neverSubmitted)) {
            String name = "a CANCELLED " + end.cancellation().outcome();
            ContractSchemas.assertValid(ContractSchemas.JOB_RECORD, MAPPER.valueToTree(end.withoutInput()),
                    name + " record");
            ContractSchemas.assertValid(ContractSchemas.RESULT, MAPPER.valueToTree(JobResult.of(end)),
                    name + " result");
        }
        assertThat(JobResult.of(neverSubmitted).retryOf()).isEqualTo("job-0");
    }

    private static ObjectNode withCancellation(ObjectNode node, String outcome) {
        node.putObject("cancellation").put("requestedAt", NOW.plusSeconds(29).toString())
                .put("reason", "duplicate order").put("requestedBy", "billing-service").put("outcome", outcome);
        return node;
    }

    @Test
    void recordsAndResultsThatBreakARuleDoNotFit() {
        Map<String, JobRecord> records = records();
        JsonNode completed = MAPPER.valueToTree(JobResult.of(records.get("completed")));
        JsonNode failed = MAPPER.valueToTree(JobResult.of(records.get("timed out")));
        JsonNode submitted = MAPPER.valueToTree(records.get("submitted"));

        assertBreaks(ContractSchemas.RESULT, timestampsAsNumbers(JobResult.of(records.get("completed"))),
                "/timing/receivedAt", "Instants written as numbers");
        assertBreaks(ContractSchemas.RESULT, change(completed, n -> n.without("video")), "video",
                "a COMPLETED result without its video");
        assertBreaks(ContractSchemas.RESULT, change(failed, n -> n.without("error")), "error",
                "a FAILED result without its error");
        assertBreaks(ContractSchemas.RESULT, change(failed, n -> n.put("status", "SUBMITTED")), "/status",
                "a result of a state that is no end");
        assertBreaks(ContractSchemas.RESULT, change(failed, n -> {
            ((ObjectNode) n.get("error")).put("code", "OUT_OF_CHEESE");
            return n;
        }), "/error/code", "an error code the contract does not know");
        assertBreaks(ContractSchemas.RESULT, change(completed, n -> n.putNull("providerJobId")), "/providerJobId",
                "a null field (absent fields are omitted)");
        assertBreaks(ContractSchemas.RESULT, change(completed, n -> n.put("priority", 1)), "priority",
                "a field the contract does not describe");
        assertBreaks(ContractSchemas.RESULT, change(completed, n -> {
            ((ObjectNode) n.get("video")).set("archive", MAPPER.valueToTree(COPY));
            ((ObjectNode) n.get("video")).set("archiveError", MAPPER.valueToTree(ARCHIVE_FAILED));
            return n;
        }), "/video", "a video both archived and not");
        assertBreaks(ContractSchemas.RESULT, change(completed, n -> {
            ((ObjectNode) n.get("video")).set("archive", MAPPER.valueToTree(COPY));
            ((ObjectNode) n.at("/video/archive")).put("sha256", "9F2C".repeat(16));
            return n;
        }), "/video/archive/sha256", "an upper-case digest");
        assertBreaks(ContractSchemas.RESULT, change(failed, n -> withCancellation(n.put("status", "CANCELLED")
                .without("error"), "MAY_BE_BILLED").without("cancellation")), "cancellation",
                "a CANCELLED result without its cancellation");
        assertBreaks(ContractSchemas.RESULT, change(failed, n -> {
            ObjectNode cancelled = withCancellation(n.put("status", "CANCELLED").without("error"), "x");
            ((ObjectNode) cancelled.get("cancellation")).remove("outcome");
            return cancelled;
        }), "outcome", "a CANCELLED result whose cancellation has no outcome");

        assertBreaks(ContractSchemas.JOB_RECORD, MAPPER.valueToTree(new JobRecord("job-1", JobState.COMPLETED,
                "aimlapi", "m", MAPPER.createObjectNode(), null, "gen-1", VIDEO, null, null, NOW, NOW, LATER, LATER,
                1, 1, LATER, null, null, null)), "input", "a terminal record that keeps the input");
        assertBreaks(ContractSchemas.JOB_RECORD, change(submitted, n -> n.without("providerJobId")), "providerJobId",
                "a SUBMITTED record without the provider's id");
        assertBreaks(ContractSchemas.JOB_RECORD, change(submitted, n -> n.put("state", "PAUSED")), "/state",
                "a state the contract does not know");
        assertBreaks(ContractSchemas.JOB_RECORD, change(submitted, n -> n.put("updatedAt", 1767225600)),
                "/updatedAt", "an Instant written as a number");
        ObjectNode command = MAPPER.createObjectNode().put("jobId", "job-1").put("state", "CANCEL_REQUESTED")
                .put("updatedAt", NOW.toString());
        command.putObject("cancellation").put("requestedAt", NOW.toString());
        assertBreaks(ContractSchemas.JOB_RECORD, command.deepCopy().put("provider", "aimlapi"), "provider",
                "a CANCEL_REQUESTED record with more than the command");
        ObjectNode withOutcome = command.deepCopy();
        ((ObjectNode) withOutcome.get("cancellation")).put("outcome", "BILLED");
        assertBreaks(ContractSchemas.JOB_RECORD, withOutcome, "outcome",
                "a CANCEL_REQUESTED record that knows its outcome already");
        assertBreaks(ContractSchemas.JOB_RECORD, command.without("cancellation"), "cancellation",
                "a CANCEL_REQUESTED record without its cancellation");
    }

    /** Fails unless the instance breaks the schema with a message naming {@code where}. */
    private static void assertBreaks(String schema, JsonNode instance, String where, String what) {
        List<String> violations = ContractSchemas.violations(schema, instance);
        assertThat(violations).as(what + ": " + instance).isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains(where));
    }

    private static JsonNode timestampsAsNumbers(Object value) {
        return MAPPER.copy().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).valueToTree(value);
    }

    private static ObjectNode change(JsonNode node, UnaryOperator<ObjectNode> change) {
        return change.apply(node.deepCopy());
    }

    @Test
    void theSchemasKnowEveryErrorCodeAndState() {
        JsonNode common = ContractSchemas.schema(ContractSchemas.COMMON).getSchemaNode();
        List<String> codes = new ArrayList<>();
        common.at("/$defs/errorCode/enum").forEach(c -> codes.add(c.asText()));
        assertThat(codes).isEqualTo(Arrays.stream(ErrorCode.values()).map(Enum::name).toList());

        Set<String> states = new TreeSet<>();
        ContractSchemas.schema(ContractSchemas.JOB_RECORD).getSchemaNode().at("/properties/state/enum")
                .forEach(s -> states.add(s.asText()));
        Set<String> known = new TreeSet<>(Arrays.stream(JobState.values()).map(Enum::name).toList());
        assertThat(states).isEqualTo(known);
    }

    @Test
    void everyRecordsSchemaVersionIsOneTheContractDescribes() {
        assertThat(RecordSchema.VERSION).isLessThanOrEqualTo(4);
        records().forEach((name, record) -> assertThat(Integer.parseInt(new String(RecordSchema.header(record),
                StandardCharsets.US_ASCII))).as(name).isBetween(1, 4));
    }
}
