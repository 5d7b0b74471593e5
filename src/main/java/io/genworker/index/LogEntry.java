package io.genworker.index;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One job-log record as the index reads it: a JSON tree read field by field, so that fields it does not know are
 * ignored and states it does not know are stored by name (the job log's schema grows with each issue). A record
 * without a job id or a state is no job's: {@link #read} returns null for it.
 */
public record LogEntry(IndexedJob job, Transition transition) {

    private static final int MAX_LABEL = 200;

    /** Longest transition detail kept: it is a hint for people, the job's row has the full story. */
    static final int DETAIL_LENGTH = 200;

    /**
     * @param key the record's key (the job id; the body's `jobId` wins when both are given)
     * @param timestamp the record's Kafka timestamp: the transition's time when the body has no `updatedAt`
     */
    public static LogEntry read(String key, JsonNode body, int partition, long offset, Instant timestamp) {
        if (body == null || !body.isObject()) {
            return null;
        }
        String jobId = text(body, "jobId");
        if (jobId == null) {
            jobId = key;
        }
        String state = text(body, "state");
        if (jobId == null || jobId.isEmpty() || state == null || state.isEmpty()) {
            return null;
        }
        Instant received = instant(body, "receivedAt");
        Instant updated = instant(body, "updatedAt");
        JsonNode error = object(body, "error");
        JsonNode video = object(body, "video");
        JsonNode archive = video == null ? null : object(video, "archive");
        JsonNode cancellation = object(body, "cancellation");
        IndexedJob job = new IndexedJob(jobId, state, label(body, "provider"), label(body, "model"), received,
                instant(body, "submittedAt"), instant(body, "finishedAt"), updated,
                firstOf(received, updated, timestamp), integer(body, "polls"), integer(body, "submitAttempts"),
                error == null ? null : text(error, "code"), error == null ? null : text(error, "message"), error,
                text(body, "providerJobId"), number(body, "credits"), video == null ? null : text(video, "url"),
                archive == null ? null : text(archive, "bucket"), archive == null ? null : text(archive, "key"),
                archive == null ? null : text(archive, "url"), video, object(body, "metadata"),
                object(body, "input"), text(body, "retryOf"), null, cancellation, partition, offset);
        Instant at = firstOf(updated, timestamp, null);
        return new LogEntry(job, new Transition(jobId, partition, offset, state, at, detail(job)));
    }

    /** What a transition adds in a few words: the error code, the provider's id, the cancel's outcome or reason. */
    static String detail(IndexedJob job) {
        String detail = null;
        if (job.cancellation() != null) {
            String outcome = text(job.cancellation(), "outcome");
            String reason = text(job.cancellation(), "reason");
            detail = outcome != null ? outcome : reason;
        } else if (job.errorCode() != null) {
            detail = job.errorCode();
        } else if ("SUBMITTED".equals(job.state())) {
            detail = job.providerJobId();
        } else if (job.retryOf() != null) {
            detail = "retry of " + job.retryOf();
        }
        if (detail != null && detail.length() > DETAIL_LENGTH) {
            detail = detail.substring(0, DETAIL_LENGTH);
        }
        return detail;
    }

    /**
     * A provider or model name, cut to {@value #MAX_LABEL} characters: a refusal carries the request's own words,
     * and a btree index entry holds at most ~2.7 KB; one oversized value would fail its batch on every attempt.
     */
    private static String label(JsonNode node, String field) {
        String text = text(node, field);
        return text == null || text.length() <= MAX_LABEL ? text : text.substring(0, MAX_LABEL);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static JsonNode object(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isObject() ? value : null;
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.canConvertToInt() ? value.intValue() : 0;
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber() ? value.doubleValue() : null;
    }

    /** An ISO instant, or seconds since the epoch (Jackson's numeric form); anything else is no time. */
    static Instant instant(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        try {
            Instant instant;
            if (value.isTextual()) {
                instant = Instant.parse(value.textValue());
            } else if (value.isNumber()) {
                BigDecimal seconds = value.decimalValue();
                instant = Instant.ofEpochSecond(seconds.longValue(),
                        seconds.remainder(BigDecimal.ONE).movePointRight(9).intValue());
            } else {
                return null;
            }
            // PostgreSQL keeps microseconds: truncated here, a row read back equals the row written.
            return instant.truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    private static Instant firstOf(Instant first, Instant second, Instant third) {
        Instant found = first != null ? first : second != null ? second : third;
        return found == null ? Instant.EPOCH : found.truncatedTo(ChronoUnit.MICROS);
    }
}
