package io.genworker.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's defence against cross-site request forgery, as a decision: a double-submit token (a random value in
 * an HttpOnly, SameSite=Strict cookie, echoed by the page in a request header that a cross-site form cannot set),
 * plus the browser's own word on where a request comes from (Fetch Metadata, Origin).
 * <p>
 * Hand-rolled because quarkus-rest-csrf, the stack's own filter, is not served for this platform version (3.37.1)
 * by the artifact repository this project builds against, and a newer one would not match the platform.
 */
public final class CsrfCheck {

    /** The request header every console action carries (htmx sends it from the page's {@code hx-headers}). */
    public static final String HEADER = "X-CSRF-Token";
    /** The cookie holding the browser's token. */
    public static final String COOKIE = "genworker-csrf";
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private CsrfCheck() {
    }

    /** A new token: 256 random bits, URL-safe. */
    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether a value has the shape of a token {@link #newToken()} makes (and so can go into a page as it is). */
    public static boolean wellFormed(String value) {
        return value != null && value.matches("[A-Za-z0-9_-]{43}");
    }

    /** Whether a method changes state (and so needs the token). */
    public static boolean unsafe(String method) {
        return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
    }

    /**
     * Why an unsafe request is refused, or empty when it may go on.
     *
     * @param headerToken the {@link #HEADER} value, or null
     * @param cookieToken the {@link #COOKIE} value, or null
     * @param fetchSite the {@code Sec-Fetch-Site} header, or null (older browsers, non-browser clients)
     * @param origin the {@code Origin} header, or null
     * @param host the {@code Host} header: an origin must name it (its scheme is not compared, so that a proxy
     *        ending TLS in front of the worker changes nothing)
     */
    public static Optional<String> refusal(String headerToken, String cookieToken, String fetchSite, String origin,
            String host) {
        if (fetchSite != null && !("same-origin".equals(fetchSite) || "none".equals(fetchSite))) {
            return Optional.of("a cross-site request (Sec-Fetch-Site: " + fetchSite + ")");
        }
        if (origin != null && (host == null || !authorityOf(origin).equalsIgnoreCase(withoutDefaultPort(host, origin)))) {
            return Optional.of("a request from another origin");
        }
        if (cookieToken == null || cookieToken.isEmpty()) {
            return Optional.of("no CSRF cookie: reload the page");
        }
        if (headerToken == null || headerToken.isEmpty()) {
            return Optional.of("no " + HEADER + " header");
        }
        if (!MessageDigest.isEqual(headerToken.getBytes(StandardCharsets.UTF_8),
                cookieToken.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("the CSRF token does not match: reload the page");
        }
        return Optional.empty();
    }

    /** The authority without the port an origin of this scheme leaves out (443 for https, 80 for http). */
    private static String withoutDefaultPort(String host, String origin) {
        String defaultPort = origin.startsWith("https://") ? ":443" : origin.startsWith("http://") ? ":80" : null;
        return defaultPort != null && host.endsWith(defaultPort)
                ? host.substring(0, host.length() - defaultPort.length()) : host;
    }

    /** host[:port] of an origin; an opaque origin ("null") has none and matches no host. */
    private static String authorityOf(String origin) {
        int scheme = origin.indexOf("://");
        return scheme < 0 ? "" : origin.substring(scheme + 3);
    }
}
