package io.genworker.index;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of a listing ends: the last job's (listedAt, jobId), listings being ordered newest first. Opaque to
 * callers (base64url), checked when read back: a cursor that does not decode is refused, never half-used.
 */
public record PageCursor(Instant listedAt, String jobId) {

    /** Longest cursor accepted: a job id of the longest kind, a time and the framing, in base64. */
    public static final int MAX_LENGTH = 512;
    private static final String VERSION = "c1";

    public String encode() {
        String plain = VERSION + "|" + listedAt.getEpochSecond() + "." + listedAt.getNano() + "|" + jobId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException naming what is wrong with a cursor this index did not give out */
    public static PageCursor decode(String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be a cursor returned by a previous page");
        }
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be a cursor returned by a previous page (not base64url)");
        }
        String[] parts = plain.split("\\|", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[2].isEmpty()) {
            throw new IllegalArgumentException("must be a cursor returned by a previous page");
        }
        String[] time = parts[1].split("\\.", -1);
        try {
            if (time.length != 2) {
                throw new NumberFormatException();
            }
            long seconds = Long.parseLong(time[0]);
            int nanos = Integer.parseInt(time[1]);
            if (nanos < 0 || nanos > 999_999_999) {
                throw new NumberFormatException();
            }
            return new PageCursor(Instant.ofEpochSecond(seconds, nanos), parts[2]);
        } catch (NumberFormatException | DateTimeException e) {
            throw new IllegalArgumentException("must be a cursor returned by a previous page");
        }
    }
}
