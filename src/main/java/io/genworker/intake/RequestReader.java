package io.genworker.intake;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.config.WorkerConfig;
import io.genworker.job.Deadlines;
import io.genworker.job.ErrorCode;
import io.genworker.job.ErrorDetail;
import io.genworker.job.GenerationRequest;
import io.genworker.job.JobError;

/**
 * Turns the bytes of a request record into a {@link ReadOutcome}: parses strictly (UTF-8, bounded size and depth,
 * no duplicate keys) and checks the envelope and the model's input against the catalogue, reporting the broken
 * rules at once (the first {@value #MAX_DETAILS}; a refusal stays small however many a request breaks).
 */
@ApplicationScoped
public class RequestReader {

    static final Set<String> ENVELOPE_FIELDS = Set.of("jobId", "model", "provider", "input", "timeoutSeconds",
            "metadata", "retryOf");
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/+=-]*");
    private static final int MAX_NESTING = 32;
    static final int MAX_DETAILS = 20;

    private final ObjectMapper strictMapper;
    private final ModelCatalogue catalogue;
    private final InputValidator inputValidator;
    private final WorkerConfig.Intake limits;
    private final long maxTimeoutSeconds;

    @Inject
    public RequestReader(ModelCatalogue catalogue, WorkerConfig config) {
        this(catalogue, config.intake(), Deadlines.from(config.jobs()).maxTimeoutSeconds());
    }

    RequestReader(ModelCatalogue catalogue, WorkerConfig.Intake limits, long maxTimeoutSeconds) {
        this.catalogue = catalogue;
        this.limits = limits;
        this.maxTimeoutSeconds = maxTimeoutSeconds;
        this.inputValidator = new InputValidator();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(limits.maxRecordBytes())
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.strictMapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * @param key the record key (the job id by convention), may be null
     * @param fallbackJobId a stable id for a refused request that names none (derived from its topic position)
     */
    public ReadOutcome read(String key, byte[] value, String fallbackJobId) {
        Object parsed = parse(value, "a request");
        if (parsed instanceof String problem) {
            return new ReadOutcome.Undecodable(problem);
        }
        return readObject(key, (ObjectNode) parsed, fallbackJobId);
    }

    /**
     * The bytes as one JSON object, parsed strictly (bounded size and depth, UTF-8, no duplicate keys), or, as a
     * String, why they are none. Shared by every kind of record intake reads.
     *
     * @param what the kind of record, for the reason ("a request")
     */
    Object parse(byte[] value, String what) {
        if (value == null || value.length == 0) {
            return "empty value: " + what + " must be a JSON object";
        }
        if (value.length > limits.maxRecordBytes()) {
            return "value of " + value.length + " bytes exceeds the limit of " + limits.maxRecordBytes() + " bytes";
        }
        int invalidAt = firstInvalidUtf8(value);
        if (invalidAt >= 0) {
            return "not UTF-8: invalid byte sequence at offset " + invalidAt;
        }
        JsonNode root;
        try {
            root = strictMapper.readTree(value);
        } catch (IOException e) {
            return "not valid JSON: " + firstLine(e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return what + " must be a JSON object, got " + describe(root);
        }
        return root;
    }

    private ReadOutcome readObject(String key, ObjectNode root, String fallbackJobId) {
        List<ErrorDetail> details = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!ENVELOPE_FIELDS.contains(name)) {
                details.add(new ErrorDetail(String.valueOf(InputValidator.shorten(name)), "unknown-field", null));
            }
        }
        String jobId = readJobId(key, root.get("jobId"), details);
        String model = text(root, "model", true, details);
        String provider = text(root, "provider", false, details);
        ObjectNode metadata = object(root, "metadata", false, details);
        if (metadata != null
                && metadata.toString().getBytes(StandardCharsets.UTF_8).length > limits.maxMetadataBytes()) {
            details.add(new ErrorDetail("metadata", "maxBytes:" + limits.maxMetadataBytes(), null));
            metadata = null;
        }
        Integer timeoutSeconds = readTimeout(root.get("timeoutSeconds"), details);
        String retryOf = readRetryOf(root.get("retryOf"), jobId, details);
        ObjectNode input = object(root, "input", true, details);

        String resultId = jobId != null ? jobId : fallbackJobId;
        if (model != null) {
            Optional<ModelSpec> spec = catalogue.find(model, provider);
            if (spec.isEmpty()) {
                return new ReadOutcome.Invalid(resultId, shown(model), shown(provider), metadata,
                        unsupported(model, provider));
            }
            if (input != null) {
                details.addAll(inputValidator.validate(spec.get(), input));
            }
            if (details.isEmpty()) {
                return new ReadOutcome.Valid(new GenerationRequest(jobId, model, spec.get().provider(), input,
                        timeoutSeconds, metadata, retryOf), spec.get());
            }
            provider = spec.get().provider();
        }
        List<ErrorDetail> shown = details;
        if (details.size() > MAX_DETAILS) {
            shown = new ArrayList<>(details.subList(0, MAX_DETAILS));
            shown.add(new ErrorDetail("request", "maxDetails:" + MAX_DETAILS, details.size() - MAX_DETAILS));
        }
        // The request's own words, cut: they reach the job log, the result and the index.
        return new ReadOutcome.Invalid(resultId, shown(model), shown(provider), metadata,
                JobError.of(ErrorCode.INVALID_REQUEST,
                details.size() + " rule(s) broken: " + summary(shown), shown));
    }

    private static String shown(String text) {
        return text == null ? null : String.valueOf(InputValidator.shorten(text));
    }

    /** The offset of the first byte that is not well-formed UTF-8 (encoded surrogates included), or -1. */
    private static int firstInvalidUtf8(byte[] value) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return -1;
            }
            out.clear();
        }
    }

    private JobError unsupported(String model, String provider) {
        Object shownModel = InputValidator.shorten(model);
        Object shownProvider = InputValidator.shorten(provider);
        String message = catalogue.isAmbiguous(model) && provider == null
                ? "model '" + shownModel + "' exists on several providers: set 'provider'"
                : "model '" + shownModel + "'" + (provider == null ? "" : " on provider '" + shownProvider + "'")
                        + " is not supported; supported: " + catalogue.models().stream()
                                .map(m -> m.provider() + ":" + m.model()).toList();
        return JobError.of(ErrorCode.UNSUPPORTED_MODEL, message,
                List.of(new ErrorDetail(provider == null ? "model" : "provider", "supported-model",
                        InputValidator.shorten(provider == null ? model : provider))));
    }

    /**
     * The rules a job id given on its own (an HTTP path, a command) breaks, as a request's {@code jobId} would: none
     * for a valid one.
     */
    public List<ErrorDetail> jobIdProblems(String id) {
        List<ErrorDetail> details = new ArrayList<>();
        readJobId(id, null, details);
        return details;
    }

    /** The job id of a record: the key, or the body's `jobId`; they must agree, and follow the id rules. */
    String readJobId(String key, JsonNode node, List<ErrorDetail> details) {
        String fromBody = null;
        if (node != null && !node.isNull()) {
            if (!node.isTextual()) {
                details.add(new ErrorDetail("jobId", "type:string", InputValidator.shorten(node)));
            } else {
                fromBody = node.asText();
            }
        }
        boolean disagree = fromBody != null && key != null && !fromBody.equals(key);
        if (disagree) {
            details.add(new ErrorDetail("jobId", "equals-record-key", InputValidator.shorten(fromBody)));
        }
        // The record key wins: the result goes out under the key the sender chose, if that key is usable.
        String id = key != null ? key : fromBody;
        if (id == null) {
            if (node == null || node.isNull()) {
                details.add(new ErrorDetail("jobId", "required (record key or jobId)", null));
            }
            return null;
        }
        return followsIdRules("jobId", id, details) ? id : null;
    }

    private boolean followsIdRules(String field, String id, List<ErrorDetail> details) {
        if (id.length() > limits.maxJobIdLength()) {
            details.add(new ErrorDetail(field, "maxLength:" + limits.maxJobIdLength(), id.length()));
            return false;
        }
        if (!JOB_ID.matcher(id).matches()) {
            details.add(new ErrorDetail(field, "pattern:" + JOB_ID.pattern(), InputValidator.shorten(id)));
            return false;
        }
        return true;
    }

    /** The job a retry repeats: a job id of its own kind, never the retry's own id (a retry is a new job). */
    private String readRetryOf(JsonNode node, String jobId, List<ErrorDetail> details) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            details.add(new ErrorDetail("retryOf", "type:string", InputValidator.shorten(node)));
            return null;
        }
        String retryOf = node.asText();
        if (!followsIdRules("retryOf", retryOf, details)) {
            return null;
        }
        if (retryOf.equals(jobId)) {
            details.add(new ErrorDetail("retryOf", "differs-from-jobId", InputValidator.shorten(retryOf)));
            return null;
        }
        return retryOf;
    }

    private Integer readTimeout(JsonNode node, List<ErrorDetail> details) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            details.add(new ErrorDetail("timeoutSeconds", "type:integer", InputValidator.shorten(node)));
            return null;
        }
        int value = node.intValue();
        if (value < 1 || value > maxTimeoutSeconds) {
            details.add(new ErrorDetail("timeoutSeconds", "range:1.." + maxTimeoutSeconds, value));
            return null;
        }
        return value;
    }

    static String text(ObjectNode root, String field, boolean required, List<ErrorDetail> details) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                details.add(new ErrorDetail(field, "required", null));
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            details.add(new ErrorDetail(field, "type:non-empty-string", InputValidator.shorten(node)));
            return null;
        }
        return node.asText();
    }

    private static ObjectNode object(ObjectNode root, String field, boolean required, List<ErrorDetail> details) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                details.add(new ErrorDetail(field, "required", null));
            }
            return null;
        }
        if (!node.isObject()) {
            details.add(new ErrorDetail(field, "type:object", InputValidator.shorten(node)));
            return null;
        }
        return (ObjectNode) node;
    }

    static String summary(List<ErrorDetail> details) {
        return String.join("; ", details.stream().map(d -> d.field() + " " + d.rule()).toList());
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String line = message.lines().findFirst().orElse(message);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
