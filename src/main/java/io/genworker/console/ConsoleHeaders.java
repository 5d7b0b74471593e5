package io.genworker.console;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.genworker.config.WorkerConfig;

/**
 * The headers every console answer carries. The Content-Security-Policy allows scripts, styles and connections from
 * the worker itself only (no inline script, no eval: htmx is configured without either), media from the worker and
 * the archive's origins, and no framing; so a prompt or URL that slipped through escaping still could not run.
 */
public final class ConsoleHeaders {

    private ConsoleHeaders() {
    }

    /** The policy for these media origins (each scheme://host[:port]). */
    public static String contentSecurityPolicy(Set<String> mediaOrigins) {
        String media = String.join(" ", mediaOrigins);
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
                + " media-src 'self'" + (media.isEmpty() ? "" : " " + media) + "; form-action 'self';"
                + " frame-ancestors 'none'; base-uri 'none'";
    }

    /**
     * Where archived videos are played from: the public base URL's and the endpoint's origins, the configured
     * extra ones, and AWS S3's when the archive is on without either (presigned URLs point at the bucket's host).
     */
    public static Set<String> mediaOrigins(WorkerConfig.Archive archive, Optional<List<String>> extra) {
        Set<String> origins = new LinkedHashSet<>();
        archive.publicBaseUrl().flatMap(ConsoleHeaders::origin).ifPresent(origins::add);
        archive.endpointOverride().flatMap(ConsoleHeaders::origin).ifPresent(origins::add);
        if (!archive.pathStyle() && archive.bucket().isPresent()) {
            // Virtual-hosted URLs put the bucket in the host: https://bucket.endpoint-host/key.
            archive.endpointOverride().flatMap(ConsoleHeaders::origin)
                    .map(origin -> origin.replaceFirst("://", "://" + archive.bucket().get() + "."))
                    .ifPresent(origins::add);
        }
        if (archive.enabled() && origins.isEmpty()) {
            origins.add("https://*.amazonaws.com");
        }
        extra.orElse(List.of()).stream().map(ConsoleHeaders::origin).flatMap(Optional::stream).forEach(origins::add);
        return origins;
    }

    /**
     * Whether a policy's sources allow this origin the way a browser matches them: exactly, or under a
     * {@code scheme://*.domain} wildcard (any subdomain, same scheme and port).
     */
    static boolean allows(Set<String> sources, String origin) {
        if (sources.contains(origin)) {
            return true;
        }
        for (String source : sources) {
            int wildcard = source.indexOf("://*.");
            if (wildcard > 0) {
                String scheme = source.substring(0, wildcard + 3);
                String suffix = source.substring(wildcard + 4);
                if (origin.startsWith(scheme) && origin.substring(scheme.length()).endsWith(suffix)
                        && origin.length() > scheme.length() + suffix.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** scheme://host[:port] of an http(s) URL, or empty for anything else (nothing else enters the policy). */
    static Optional<String> origin(String url) {
        try {
            URI uri = URI.create(url.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || !uri.getHost().matches("[A-Za-z0-9.\\-\\[\\]:*]+")) {
                return Optional.empty();
            }
            return Optional.of(scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
