package io.genworker.archive.fetch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How provider result videos are downloaded (issue 13): limits, timeouts and which hosts a URL may name. */
@ConfigMapping(prefix = "worker.archive.fetch")
public interface FetchConfig {

    /** Largest video accepted, in bytes: a larger Content-Length is refused before reading, a longer body cut. */
    @WithDefault("209715200")
    long maxBytes();

    /** How long opening the TCP (and TLS) connection may take. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** How long the download may go without receiving a byte (a stalled provider, or a stalled reader). */
    @WithDefault("30s")
    Duration idleTimeout();

    /** Redirects followed per download; each hop is checked by DownloadUrlPolicy before it is requested. */
    @WithDefault("3")
    int maxRedirects();

    /**
     * Per provider (aimlapi, segmind), the only hosts its video URLs may name (exact names, or ".example.com" for
     * any subdomain). A provider without an entry may name any public host: Segmind's output host is not documented.
     */
    Map<String, List<String>> allowedHosts();

    /**
     * Test-only exemption: URLs whose host resolves to loopback addresses only may be fetched, over plain http too.
     * Private, link-local and metadata addresses stay refused even with it.
     */
    @WithDefault("false")
    boolean allowLoopback();
}
