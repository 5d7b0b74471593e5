package io.genworker.job;

import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The W3C trace context a request arrived with ({@code traceparent}, optional {@code tracestate}), kept with the
 * job so its job-log records and its result carry it, across restarts too. The worker starts no spans of its own:
 * it passes the caller's context on unchanged, so a tracing backend links the result to the request's trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TraceContext(String traceparent, String tracestate) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /** version-traceid-parentid-flags, lower-case hex; a later version may append fields after a dash. */
    private static final Pattern TRACEPARENT_FORMAT = Pattern.compile(
            "([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\\s]*)?");
    private static final String ZERO_TRACE_ID = "0".repeat(32);
    private static final String ZERO_PARENT_ID = "0".repeat(16);
    private static final int MAX_TRACESTATE_LENGTH = 512;
    private static final int MAX_TRACESTATE_MEMBERS = 32;
    private static final Pattern TRACESTATE_MEMBER = Pattern.compile(
            "(?:[a-z0-9][_0-9a-z\\-*/]{0,255}|[a-z0-9][_0-9a-z\\-*/]{0,240}@[a-z][_0-9a-z\\-*/]{0,13})"
                    + "=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");

    /**
     * The context to propagate, or empty when the traceparent is missing or malformed (garbage is dropped, not
     * passed on). A malformed tracestate is dropped alone. A traceparent of a later version is kept in version 00
     * form, the version this worker speaks.
     */
    public static Optional<TraceContext> of(String traceparent, String tracestate) {
        return normalize(traceparent).map(parent -> new TraceContext(parent, validTracestate(tracestate)));
    }

    private static Optional<String> normalize(String traceparent) {
        if (traceparent == null) {
            return Optional.empty();
        }
        var match = TRACEPARENT_FORMAT.matcher(traceparent.strip());
        if (!match.matches()) {
            return Optional.empty();
        }
        String version = match.group(1);
        String traceId = match.group(2);
        String parentId = match.group(3);
        if (version.equals("ff") || traceId.equals(ZERO_TRACE_ID) || parentId.equals(ZERO_PARENT_ID)
                || version.equals("00") && match.group(5) != null) {
            return Optional.empty();
        }
        return Optional.of("00-" + traceId + "-" + parentId + "-" + match.group(4));
    }

    private static String validTracestate(String tracestate) {
        if (tracestate == null || tracestate.isBlank() || tracestate.length() > MAX_TRACESTATE_LENGTH) {
            return null;
        }
        String[] members = tracestate.split(",", -1);
        int count = 0;
        for (String member : members) {
            String trimmed = member.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!TRACESTATE_MEMBER.matcher(trimmed).matches() || ++count > MAX_TRACESTATE_MEMBERS) {
                return null;
            }
        }
        return count == 0 ? null : tracestate.strip();
    }
}
