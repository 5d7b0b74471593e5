package io.genworker.console;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.index.IndexedJob;
import io.genworker.index.IndexedStates;

/** One row of the jobs table: what the index holds, shaped for the page (escaping is the template's). */
public record JobRow(String jobId, String link, String state, String stateClass, String provider, String model,
        Instant receivedAt, Instant finishedAt, String errorCode, String metadata, boolean cancellable) {

    /** Metadata shown in a row at most this long; the detail page shows all of it. */
    static final int METADATA_SHOWN = 80;

    public static JobRow of(IndexedJob job) {
        return new JobRow(job.jobId(), ConsoleLinks.job(job.jobId()), job.state(), stateClass(job.state()),
                job.provider(), job.model(), job.receivedAt(), job.finishedAt(), job.errorCode(),
                metadata(job.metadata()), !job.terminal() && !IndexedStates.CANCEL_REQUESTED.equals(job.state()));
    }

    /** A CSS class for a state: only a known state's own letters, so no value can add a class of its own. */
    static String stateClass(String state) {
        return state != null && IndexedStates.KNOWN.contains(state) ? state.toLowerCase() : "unknown";
    }

    /** key=value pairs, cut to {@link #METADATA_SHOWN} characters. */
    static String metadata(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!text.isEmpty()) {
                text.append(", ");
            }
            JsonNode value = field.getValue();
            text.append(field.getKey()).append('=').append(value.isTextual() ? value.asText() : value.toString());
            if (text.length() > METADATA_SHOWN) {
                return text.substring(0, METADATA_SHOWN) + "…";
            }
        }
        return text.toString();
    }
}
