package io.genworker.archive.fetch;

import java.net.InetAddress;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * The JDK's resolver (InetAddress.getAllByName) on a Vert.x worker thread. Not Vert.x's own resolver: the public
 * API returns one address where every address must be checked, and its DnsClient ignores /etc/hosts and search
 * domains, so it would answer differently from every other lookup in the JVM. The lookup blocks a worker thread only
 * for the OS resolver's bounded time, never the event loop; the download itself parks no thread.
 */
@ApplicationScoped
@DefaultBean
public class SystemHostResolver implements HostResolver {

    private final Vertx vertx;

    public SystemHostResolver(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        return vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);
    }
}
