package io.genworker.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A cancel command for the control topic, as the shared contract has it: {@code {"type": "cancel", "jobId",
 * "reason"?, "requestedBy"?}}. The HTTP body may carry only {@code reason}; {@code requestedBy} is the caller.
 */
record CancelCommand(String jobId, String reason, String requestedBy) {

    static final int MAX_REASON = 500;
    static final int MAX_REQUESTED_BY = 200;
    /** A cancel body holds one short string: anything larger is not one. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The command an HTTP cancel asks for.
     *
     * @throws ApiProblemException when the body is not an object with at most a valid {@code reason}
     */
    static CancelCommand read(String jobId, byte[] body, String caller, String path) {
        String requestedBy = cut(caller, MAX_REQUESTED_BY);
        if (body.length == 0) {
            return new CancelCommand(jobId, null, requestedBy);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.PAYLOAD_TOO_LARGE,
                    "A cancel body is at most " + MAX_BODY_BYTES + " bytes", path));
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (IOException e) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.UNREADABLE_BODY,
                    "not valid JSON: " + firstLine(e.getMessage()), path));
        }
        if (root == null || !root.isObject()) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.UNREADABLE_BODY,
                    "a cancel body must be a JSON object", path));
        }
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!"reason".equals(name)) {
                errors.add(new ApiProblem.FieldError(cut(name, 100), "unknown-field"));
            }
        }
        String reason = null;
        JsonNode node = root.get("reason");
        if (node != null && !node.isNull()) {
            if (!node.isTextual()) {
                errors.add(new ApiProblem.FieldError("reason", "type:string"));
            } else {
                reason = node.asText();
                // Counted in UTF-16 units, as intake counts it.
                if (reason.length() > MAX_REASON) {
                    errors.add(new ApiProblem.FieldError("reason", "maxLength:" + MAX_REASON));
                } else if (!printable(reason)) {
                    errors.add(new ApiProblem.FieldError("reason", "printable-text"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiProblemException(ApiProblem.invalid(errors.size() + " rule(s) broken", path, errors));
        }
        return new CancelCommand(jobId, reason, requestedBy);
    }

    /** The control-topic value. */
    byte[] toJson() {
        ObjectNode value = STRICT.createObjectNode().put("type", "cancel").put("jobId", jobId);
        if (reason != null) {
            value.put("reason", reason);
        }
        if (requestedBy != null) {
            value.put("requestedBy", requestedBy);
        }
        try {
            return STRICT.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * No control characters (a reason ends up in logs and results), no lone surrogates (not encodable as UTF-8), no
     * bidirectional overrides (they make a reason read as something else).
     */
    static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
                continue;
            }
            if (Character.isLowSurrogate(c) || Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E')
                    || (c >= '\u2066' && c <= '\u2069')) {
                return false;
            }
        }
        return true;
    }

    /** At most max UTF-16 units (intake's measure), never half a surrogate pair. */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String line = message.lines().findFirst().orElse(message);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
