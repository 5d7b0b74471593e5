package io.genworker.archive.fetch;

import java.net.InetAddress;
import java.util.List;

import io.smallrye.mutiny.Uni;

/** Every address a host name resolves to (all of them are checked, since a connection may use any). */
public interface HostResolver {

    /** Fails with java.net.UnknownHostException when the name does not resolve. */
    Uni<List<InetAddress>> resolve(String host);
}
