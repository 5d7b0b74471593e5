package io.genworker.archive.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a video URL from a provider's answer may be fetched: a pure decision on the URL, the provider that named
 * it and the addresses its host resolved to (GuardedVideoSource resolves, asks, then connects to the approved address
 * only, so a DNS answer that changes between check and connect cannot smuggle in another address). The URL is
 * untrusted: a provider, or whoever controls its output host, could point the worker at its own network (cloud
 * metadata at 169.254.169.254, an admin port on loopback, a database on 10.x).
 * <p>
 * Only https; plain http only under the test-only loopback exemption, and only to loopback. Refused when ANY resolved
 * address is loopback (unless exempt), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10),
 * link-local (169.254/16, fe80::/10), unspecified, multicast, broadcast or reserved, IPv4 embedded in IPv6 (::ffff:a.b.c.d,
 * ::a.b.c.d, 64:ff9b::a.b.c.d) judged as the IPv4 address. A literal-IP host is judged the same way, since it "resolves" to itself.
 */
public final class DownloadUrlPolicy {

    /** Allowed, with the address to connect to, or refused with a reason that is safe to log. */
    public record Decision(boolean allowed, String reason, InetAddress address) {

        static Decision allow(InetAddress address) {
            return new Decision(true, "allowed", address);
        }

        static Decision refuse(String reason) {
            return new Decision(false, reason, null);
        }
    }

    private final boolean allowLoopback;
    private final Map<String, List<String>> allowedHosts;

    public DownloadUrlPolicy(boolean allowLoopback, Map<String, List<String>> allowedHosts) {
        this.allowLoopback = allowLoopback;
        this.allowedHosts = Map.copyOf(allowedHosts);
    }

    public static DownloadUrlPolicy of(FetchConfig config) {
        return new DownloadUrlPolicy(config.allowLoopback(), config.allowedHosts());
    }

    /** What can be judged before any DNS lookup: scheme, host, user info, the provider's allowlist. */
    public Decision precheck(URI uri, String provider) {
        if (uri == null || !uri.isAbsolute() || uri.isOpaque()) {
            return Decision.refuse("not an absolute hierarchical URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowLoopback)) {
            return Decision.refuse("scheme '" + scheme + "' is not allowed (https only)");
        }
        String host = hostOf(uri);
        if (host == null || host.isEmpty()) {
            return Decision.refuse("no host");
        }
        if (uri.getRawUserInfo() != null) {
            return Decision.refuse("user info in the URL");
        }
        List<String> allowed = allowedHosts.getOrDefault(provider, List.of());
        if (!allowed.isEmpty() && allowed.stream().noneMatch(entry -> hostMatches(host, entry))) {
            return Decision.refuse("host " + host + " is not in " + provider + "'s allowed hosts");
        }
        return Decision.allow(null);
    }

    /** The full decision, once the host has been resolved: every address must be public (or exempt loopback). */
    public Decision check(URI uri, String provider, List<InetAddress> addresses) {
        Decision pre = precheck(uri, provider);
        if (!pre.allowed()) {
            return pre;
        }
        if (addresses == null || addresses.isEmpty()) {
            return Decision.refuse("host resolved to no address");
        }
        boolean allLoopback = true;
        for (InetAddress address : addresses) {
            String forbidden = forbiddenRange(address);
            boolean loopback = "loopback".equals(forbidden);
            allLoopback &= loopback;
            if (forbidden != null && !(loopback && allowLoopback)) {
                return Decision.refuse("host " + hostOf(uri) + " resolves to a " + forbidden + " address ("
                        + address.getHostAddress() + ")");
            }
        }
        if (uri.getScheme().equalsIgnoreCase("http") && !allLoopback) {
            return Decision.refuse("plain http is allowed to exempt loopback addresses only");
        }
        return Decision.allow(addresses.get(0));
    }

    /** The URI's host without IPv6 brackets or a trailing dot, lower case; null when it has none. */
    static String hostOf(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return null;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private static boolean hostMatches(String host, String entry) {
        String allowed = entry.trim().toLowerCase(Locale.ROOT);
        return allowed.startsWith(".") ? host.endsWith(allowed) : host.equals(allowed);
    }

    /** The kind of non-public range the address is in, or null for a public address. */
    static String forbiddenRange(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                return forbiddenRange(embedded);
            }
            if (address.isLoopbackAddress()) {
                return "loopback";
            }
            if (address.isAnyLocalAddress()) {
                return "unspecified";
            }
            if (address.isLinkLocalAddress()) {
                return "link-local";
            }
            if ((b[0] & 0xfe) == 0xfc || address.isSiteLocalAddress()) {
                return "private";
            }
            return address.isMulticastAddress() ? "multicast" : null;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 127) {
            return "loopback";
        }
        if (first == 0) {
            return "unspecified";
        }
        if (first == 169 && second == 254) {
            return "link-local";
        }
        if (first == 10 || (first == 172 && (second & 0xf0) == 16) || (first == 192 && second == 168)
                || (first == 100 && (second & 0xc0) == 64)) {
            return "private";
        }
        if (first >= 224 && first < 240) {
            return "multicast";
        }
        // 240/4 (with 255.255.255.255), the IETF block 192.0.0/24 and the benchmarking block 198.18/15
        if (first >= 240 || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                || (first == 198 && (second & 0xfe) == 18)) {
            return "reserved";
        }
        return null;
    }

    /**
     * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d,
     * which a NAT64 gateway forwards to that IPv4 address) IPv6 address.
     */
    private static InetAddress embeddedIpv4(byte[] b) {
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = nat64 ? 4 : 0; i < (nat64 ? 12 : 10); i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && (b[12] != 0 || b[13] != 0);
        if (!nat64 && !mapped && !compatible) {
            return null;
        }
        try {
            return Inet4Address.getByAddress(new byte[] { b[12], b[13], b[14], b[15] });
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
