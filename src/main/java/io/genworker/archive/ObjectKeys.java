package io.genworker.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/**
 * Object keys for archived videos. A job id and a file name come from requests and provider answers, so each is
 * escaped into exactly one key segment: no "/" survives, "." and ".." become "%2E" and "%2E%2E", and '%' itself is
 * escaped, so two different inputs never share a key and no key climbs out of its prefix on a filesystem-backed store.
 */
public final class ObjectKeys {

    public static final String DEFAULT_FILE_NAME = "video.mp4";
    /**
     * Longest escaped file-name segment. S3 keys are at most 1024 bytes: a job id of 128 characters escapes to at
     * most 384, so a provider's file name (or URL segment, up to 16 KB) is cut to fit, keeping its end (the
     * extension) and a hash of the whole, so that two long names still get two keys.
     */
    static final int MAX_FILE_NAME = 200;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ObjectKeys() {
    }

    /**
     * {prefix}/{jobId}/{fileName}. The prefix (configuration) may hold several "/"-separated segments; empty ones are
     * dropped, so "", "/" and "archive/" are all fine.
     */
    public static String keyFor(String prefix, String jobId, String fileName) {
        if (jobId == null || jobId.isEmpty()) {
            throw new IllegalArgumentException("jobId is required");
        }
        StringJoiner key = new StringJoiner("/");
        if (prefix != null) {
            for (String segment : prefix.split("/")) {
                if (!segment.isEmpty()) {
                    key.add(segment(segment));
                }
            }
        }
        key.add(segment(jobId));
        key.add(fileSegment(fileName == null || fileName.isBlank() ? DEFAULT_FILE_NAME : fileName));
        return key.toString();
    }

    static String fileSegment(String fileName) {
        String escaped = segment(fileName);
        if (escaped.length() <= MAX_FILE_NAME) {
            return escaped;
        }
        String hash = Integer.toHexString(fileName.hashCode() & 0x7fffffff);
        // cut where no %XX escape is split
        int from = escaped.length() - (MAX_FILE_NAME - hash.length() - 1);
        while (from < escaped.length() && from > 0 && (escaped.charAt(from - 1) == '%'
                || (from > 1 && escaped.charAt(from - 2) == '%'))) {
            from++;
        }
        return hash + "-" + escaped.substring(from);
    }

    /** Percent-encodes every UTF-8 byte outside [A-Za-z0-9._-], then the dot-only segments. */
    static String segment(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length() + 8);
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (isSafe(c)) {
                out.write(c);
            } else {
                out.write('%');
                out.write(HEX[c >> 4]);
                out.write(HEX[c & 0xF]);
            }
        }
        String escaped = out.toString(StandardCharsets.US_ASCII);
        // "." and ".." are the only segments made of safe characters that still mean something to a path.
        if (escaped.equals(".") || escaped.equals("..")) {
            return escaped.replace(".", "%2E");
        }
        return escaped;
    }

    private static boolean isSafe(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }
}
