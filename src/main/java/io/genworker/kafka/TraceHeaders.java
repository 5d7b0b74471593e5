package io.genworker.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.genworker.job.TraceContext;

/** W3C trace context in Kafka record headers, as OpenTelemetry's Kafka instrumentation writes it. */
public final class TraceHeaders {

    private TraceHeaders() {
    }

    /** The record's valid trace context; none when absent, malformed or given more than once. */
    public static Optional<TraceContext> read(Headers headers) {
        String traceparent = single(headers, TraceContext.TRACEPARENT);
        return traceparent == null ? Optional.empty()
                : TraceContext.of(traceparent, single(headers, TraceContext.TRACESTATE));
    }

    public static void write(TraceContext trace, Headers headers) {
        if (trace == null) {
            return;
        }
        headers.add(TraceContext.TRACEPARENT, trace.traceparent().getBytes(StandardCharsets.UTF_8));
        if (trace.tracestate() != null) {
            headers.add(TraceContext.TRACESTATE, trace.tracestate().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String single(Headers headers, String name) {
        Iterator<Header> all = headers.headers(name).iterator();
        if (!all.hasNext()) {
            return null;
        }
        Header first = all.next();
        if (all.hasNext() || first.value() == null) {
            return null;
        }
        return new String(first.value(), StandardCharsets.UTF_8);
    }
}
