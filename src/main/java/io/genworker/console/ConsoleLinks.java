package io.genworker.console;

import java.nio.charset.StandardCharsets;

/** Links into the console built from untrusted values: a job id becomes one path segment, whatever it holds. */
public final class ConsoleLinks {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ConsoleLinks() {
    }

    /** The job's detail page. */
    public static String job(String jobId) {
        return "/console/jobs/" + segment(jobId);
    }

    /**
     * A path segment: RFC 3986 unreserved characters stay, everything else (slashes, '?', '#', '%', spaces, quotes)
     * is percent-encoded, and so are the dots of "." and "..", which a browser would otherwise resolve away.
     */
    static String segment(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        boolean dotsOnly = value.equals(".") || value.equals("..");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '~' || (c == '.' && !dotsOnly);
            if (unreserved) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
