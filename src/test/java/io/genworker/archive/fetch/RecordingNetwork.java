package io.genworker.archive.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.RequestOptions;

/**
 * The network as a GuardedVideoSource under test sees it: a resolver answering from a table (literal IPs parse to
 * themselves; no name ever reaches real DNS) and a record of every request about to be sent. A request to anything
 * but loopback is stopped before it connects, so a broken policy could not send test traffic off this machine.
 */
final class RecordingNetwork implements HostResolver {

    private final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
    private final List<String> lookups = new CopyOnWriteArrayList<>();
    private final List<RequestOptions> requests = new CopyOnWriteArrayList<>();
    private final List<String> stopped = new CopyOnWriteArrayList<>();

    RecordingNetwork name(String host, String... literals) {
        names.put(host, java.util.Arrays.stream(literals).map(DownloadUrlPolicyTest::literal).toList());
        return this;
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        lookups.add(host);
        List<InetAddress> known = names.get(host);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            return Uni.createFrom().item(List.of(DownloadUrlPolicyTest.literal(host)));
        }
        return Uni.createFrom().failure(new UnknownHostException("not in the test's table"));
    }

    /** The hook GuardedVideoSource calls before each request. */
    void beforeRequest(RequestOptions options) {
        requests.add(options);
        String target = options.getServer().host();
        if (!DownloadUrlPolicyTest.literal(target).isLoopbackAddress()) {
            stopped.add(target);
            throw new AssertionError("a request to a non-loopback address was about to be sent: " + target);
        }
    }

    List<RequestOptions> requests() {
        return requests;
    }

    List<String> lookups() {
        return lookups;
    }

    /** Non-loopback targets the source tried to reach (and this record stopped). */
    List<String> stopped() {
        return stopped;
    }
}
