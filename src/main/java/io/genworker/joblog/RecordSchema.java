package io.genworker.joblog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/**
 * Whether this worker understands a job-log record well enough to act on it. During a rolling deploy workers of two
 * versions share the log; a record of a kind or schema version this worker does not know must not be skipped (the
 * job would be lost, or driven on a stale state) but hold its partition: the tracker then applies nothing more of
 * it until a worker that knows the record owns it. Pure: header values and bytes in, a verdict out.
 * <p>
 * The header {@value #HEADER} carries the lowest schema version a reader must know to act on the record correctly;
 * a record without it is version 1 (written before the header existed). docs/flow.md gives the rule for bumping
 * {@link #VERSION}.
 */
public final class RecordSchema {

    public static final String HEADER = "genworker-schema";
    /** The newest schema version this worker knows; every record it writes needs no more. */
    public static final int VERSION = 4;
    /** Echoed header values and body excerpts are cut to this, as refusal details are. */
    private static final int MAX_ECHO = 100;
    private static final byte[] VERSION_1 = "1".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 added {@link JobState#REFUSED}: a worker that skipped it would leave the request unanswered. */
    private static final byte[] VERSION_2 = "2".getBytes(StandardCharsets.US_ASCII);
    /**
     * Version 3 added {@link JobState#ARCHIVING} and the video's archive fields: a worker that skipped ARCHIVING
     * would never copy (nor answer) the job, and one that mapped a COMPLETED record without its archive would
     * answer a duplicate without the stored copy.
     */
    private static final byte[] VERSION_3 = "3".getBytes(StandardCharsets.US_ASCII);
    /**
     * Version 4 added cancellation ({@link JobState#CANCEL_REQUESTED}, the CANCELLED record's `cancellation`) and
     * `retryOf`: a worker that skipped a cancel command would run a job its sender stopped, and one that answered a
     * duplicate from a CANCELLED record without its cancellation would drop what it may cost.
     */
    private static final byte[] VERSION_4 = "4".getBytes(StandardCharsets.US_ASCII);

    /** Why a record holds its partition; {@link #tag()} is the metric's tag value. */
    public enum Reason {
        /** A schema version newer than {@link RecordSchema#VERSION}, or a version header this worker cannot read. */
        VERSION,
        /** A state or record kind this worker does not know, in a header or in the body. */
        KIND;

        public String tag() {
            return name().toLowerCase();
        }
    }

    /** What a record's body is to this worker. */
    public sealed interface Reading {
    }

    /** A job snapshot this worker knows: act on it. */
    public record Known(JobRecord record) implements Reading {
    }

    /**
     * Bytes that are no JSON object: no version of the worker writes them (corruption, a foreign producer), so no
     * newer worker would understand them either and holding the partition would only stall its jobs. Logged and
     * skipped.
     */
    public record Unreadable(String why) implements Reading {
    }

    /** A record this worker does not understand: its partition is held. {@code what} names it for operators. */
    public record Unknown(Reason reason, String what) implements Reading {
    }

    /** The body's decoder, {@link JobLog#decode}. */
    @FunctionalInterface
    public interface Decoder {
        JobRecord decode(byte[] value) throws IOException;
    }

    private RecordSchema() {
    }

    /**
     * The schema header of a record: the lowest version whose readers act on it correctly. Every record this
     * worker writes needs version 1; a later version that adds a kind stamps only the records of that kind with it,
     * so that older workers stop only where they must.
     */
    public static byte[] header(JobRecord record) {
        if (record.state() == JobState.CANCEL_REQUESTED || record.state() == JobState.CANCELLED
                || record.cancellation() != null || record.retryOf() != null) {
            return VERSION_4.clone();
        }
        if (record.state() == JobState.ARCHIVING || record.video() != null
                && (record.video().archive() != null || record.video().archiveError() != null)) {
            return VERSION_3.clone();
        }
        return (record.state() == JobState.REFUSED ? VERSION_2 : VERSION_1).clone();
    }

    /**
     * Checked before the body is read (most live records are settled by their headers alone).
     *
     * @param version the {@value #HEADER} header's value, null when there is none (version 1)
     * @param state the {@value JobLog#STATE_HEADER} header's value, null when there is none (records older than
     *        that header)
     */
    public static Optional<Unknown> checkHeaders(String version, String state) {
        if (version != null) {
            int parsed = parseVersion(version);
            if (parsed < 1) {
                return Optional.of(new Unknown(Reason.VERSION, "unreadable schema version '" + echo(version)
                        + "' (this worker knows " + VERSION + ")"));
            }
            if (parsed > VERSION) {
                return Optional.of(new Unknown(Reason.VERSION, "schema version " + parsed + " (this worker knows "
                        + VERSION + ")"));
            }
        }
        if (state != null && !knownState(state)) {
            return Optional.of(unknownState(state));
        }
        return Optional.empty();
    }

    /** Reads the body: a job snapshot, bytes no version writes, or a JSON object of a kind this worker lacks. */
    public static Reading read(Decoder decoder, byte[] value) {
        JobRecord record;
        try {
            record = decoder.decode(value);
        } catch (IOException e) {
            return ofFailure(e);
        }
        if (record == null) {
            return new Unreadable("not a JSON object: null");
        }
        if (record.state() == null) {
            return new Unknown(Reason.KIND, "a record without a state");
        }
        if (record.jobId() == null) {
            return new Unknown(Reason.KIND, "a " + record.state() + " record without a job id");
        }
        return new Known(record);
    }

    /**
     * A JSON object that does not map onto a job snapshot may be a newer worker's (a new state, error code or
     * field type): held. Bytes that are not JSON, or JSON that is no object, are nobody's record: skipped.
     */
    static Reading ofFailure(IOException e) {
        if (!(e instanceof JsonMappingException mapping) || notJson(e)) {
            return new Unreadable(echo(firstLine(e.getMessage())));
        }
        String field = path(mapping);
        if (field.isEmpty() && mapping instanceof MismatchedInputException) {
            return new Unreadable("not a JSON object: " + echo(firstLine(mapping.getOriginalMessage())));
        }
        if (mapping instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum()) {
            String value = String.valueOf(invalid.getValue());
            return "state".equals(field) ? unknownState(value)
                    : new Unknown(Reason.KIND, "unknown value '" + echo(value) + "' of " + field);
        }
        return new Unknown(Reason.KIND, "a body this worker cannot map" + (field.isEmpty() ? "" : " at " + field)
                + ": " + echo(firstLine(mapping.getOriginalMessage())));
    }

    /** Whether the failure is the parser's (bytes that are no JSON), perhaps wrapped by the mapper with a path. */
    private static boolean notJson(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamReadException) {
                return true;
            }
        }
        return false;
    }

    private static Unknown unknownState(String state) {
        return new Unknown(Reason.KIND, "unknown state '" + echo(state) + "'");
    }

    private static boolean knownState(String state) {
        for (JobState known : JobState.values()) {
            if (known.name().equals(state)) {
                return true;
            }
        }
        return false;
    }

    /** A positive decimal version, or 0 when it is none. */
    private static int parseVersion(String version) {
        if (version == null || version.isEmpty() || version.length() > 9 || !version.chars().allMatch(
                c -> c >= '0' && c <= '9')) {
            return 0;
        }
        return Integer.parseInt(version);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static String echo(String value) {
        return value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "...";
    }
}
