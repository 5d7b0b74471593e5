package io.genworker.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The id of a job's retry, derived from the job's own: {@code <id>.retry-1}, and for a retry of a retry the next
 * number ({@code <id>.retry-2}), never the retried job's id (whose dedup slot is its own). The same job retried twice
 * gets the same id, so a repeated call is the same retry, deduplicated like any repeated request. An id that would
 * pass the length limit keeps its start and a hash of the whole, so two long ids never share a retry id.
 */
final class RetryIds {

    private static final Pattern RETRY = Pattern.compile("(.+)\\.retry-([0-9]{1,6})");
    private static final int HASH_CHARS = 12;

    private RetryIds() {
    }

    static String next(String jobId, int maxLength) {
        String base = jobId;
        int number = 1;
        Matcher retry = RETRY.matcher(jobId);
        if (retry.matches()) {
            base = retry.group(1);
            number = Integer.parseInt(retry.group(2)) + 1;
        }
        String suffix = ".retry-" + number;
        if (base.length() + suffix.length() <= maxLength) {
            return base + suffix;
        }
        String hash = "=" + sha256(base).substring(0, HASH_CHARS);
        int keep = Math.max(1, maxLength - suffix.length() - hash.length());
        return base.substring(0, Math.min(keep, base.length())) + hash + suffix;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
