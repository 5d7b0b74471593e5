package io.genworker.archive.fetch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** FetchConfig for tests that build a GuardedVideoSource without CDI. */
record TestFetchConfig(long maxBytes, Duration connectTimeout, Duration idleTimeout, int maxRedirects,
        Map<String, List<String>> allowedHosts, boolean allowLoopback) implements FetchConfig {

    static TestFetchConfig strict() {
        return new TestFetchConfig(10L << 20, Duration.ofSeconds(5), Duration.ofSeconds(10), 3, Map.of(), false);
    }

    static TestFetchConfig loopbackExempt() {
        return strict().withLoopback(true);
    }

    TestFetchConfig withLoopback(boolean allow) {
        return new TestFetchConfig(maxBytes, connectTimeout, idleTimeout, maxRedirects, allowedHosts, allow);
    }

    TestFetchConfig withMaxBytes(long bytes) {
        return new TestFetchConfig(bytes, connectTimeout, idleTimeout, maxRedirects, allowedHosts, allowLoopback);
    }

    TestFetchConfig withIdleTimeout(Duration timeout) {
        return new TestFetchConfig(maxBytes, connectTimeout, timeout, maxRedirects, allowedHosts, allowLoopback);
    }

    TestFetchConfig withAllowedHosts(String provider, String... hosts) {
        return new TestFetchConfig(maxBytes, connectTimeout, idleTimeout, maxRedirects,
                Map.of(provider, List.of(hosts)), allowLoopback);
    }
}
