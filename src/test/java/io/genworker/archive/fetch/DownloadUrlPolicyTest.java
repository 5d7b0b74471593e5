package io.genworker.archive.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure decision, as a table: URL and resolved addresses in, allowed or refused (with a reason) out. */
class DownloadUrlPolicyTest {

    private static final DownloadUrlPolicy STRICT = new DownloadUrlPolicy(false, Map.of());
    private static final DownloadUrlPolicy LOOPBACK_EXEMPT = new DownloadUrlPolicy(true, Map.of());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1       | loopback",
            "127.10.20.30    | loopback",
            "::1             | loopback",
            "169.254.169.254 | link-local",
            "169.254.1.1     | link-local",
            "fe80::1         | link-local",
            "10.0.0.1        | private",
            "172.16.0.1      | private",
            "172.31.255.255  | private",
            "192.168.1.1     | private",
            "100.64.0.1      | private",
            "100.127.255.254 | private",
            "fd00::1         | private",
            "fc00::1         | private",
            "fd00:ec2::254   | private",
            "fec0::1         | private",
            "0.0.0.0         | unspecified",
            "::              | unspecified",
            "224.0.0.1       | multicast",
            "ff02::1         | multicast",
            "255.255.255.255 | reserved",
            "240.0.0.1       | reserved",
            "192.0.0.192     | reserved",
            "198.18.0.1      | reserved",
            "::ffff:127.0.0.1       | loopback",
            "::ffff:169.254.169.254 | link-local",
            "::ffff:10.0.0.1        | private",
            "::10.0.0.1             | private",
            "64:ff9b::a9fe:a9fe     | link-local",
    })
    void nonPublicAddressesAreRefusedWithTheirRange(String address, String range) {
        InetAddress resolved = literal(address);

        DownloadUrlPolicy.Decision decision = STRICT.check(URI.create("https://videos.example/v.mp4"), "segmind",
                List.of(resolved));

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("a " + range + " address");
    }

    @ParameterizedTest
    @CsvSource({ "93.184.216.34", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1", "8.8.8.8",
            "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34", "fbff::1" })
    void publicAddressesAreAllowedAndTheFirstIsTheOneToConnectTo(String address) {
        DownloadUrlPolicy.Decision decision = STRICT.check(URI.create("https://videos.example/v.mp4"), "segmind",
                List.of(literal(address), literal("1.1.1.1")));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
        assertThat(decision.address()).isEqualTo(literal(address));
    }

    @Test
    void oneNonPublicAddressAmongPublicOnesRefusesTheHost() {
        DownloadUrlPolicy.Decision decision = STRICT.check(URI.create("https://videos.example/v.mp4"), "aimlapi",
                addresses("93.184.216.34", "10.1.2.3"));

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("private").contains("10.1.2.3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "file:///etc/passwd                      | scheme 'file'",
            "ftp://videos.example/v.mp4              | scheme 'ftp'",
            "gopher://videos.example/                | scheme 'gopher'",
            "jar:https://videos.example/v.jar!/x     | not an absolute hierarchical URL",
            "data:video/mp4;base64,AAAA              | not an absolute hierarchical URL",
            "//videos.example/v.mp4                  | not an absolute hierarchical URL",
            "/v.mp4                                  | not an absolute hierarchical URL",
            "http://videos.example/v.mp4             | scheme 'http'",
            "https:///v.mp4                          | no host",
            "https://user:pw@videos.example/v.mp4    | user info",
    })
    void schemesOtherThanHttpsAndMalformedUrlsAreRefusedBeforeAnyLookup(String url, String reason) {
        DownloadUrlPolicy.Decision decision = STRICT.precheck(URI.create(url), "segmind");

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains(reason);
    }

    @Test
    void theLoopbackExemptionAllowsLoopbackOverHttpButNothingElse() {
        URI local = URI.create("http://127.0.0.1:8080/v.mp4");
        assertThat(LOOPBACK_EXEMPT.check(local, "segmind", addresses("127.0.0.1")).allowed()).isTrue();
        assertThat(STRICT.check(local, "segmind", addresses("127.0.0.1")).allowed()).isFalse();
        assertThat(STRICT.check(URI.create("https://127.0.0.1/v.mp4"), "segmind", addresses("127.0.0.1"))
                .reason()).contains("loopback");

        URI metadata = URI.create("http://169.254.169.254/latest/meta-data/");
        assertThat(LOOPBACK_EXEMPT.check(metadata, "segmind", addresses("169.254.169.254")).reason())
                .contains("link-local");
        assertThat(LOOPBACK_EXEMPT.check(URI.create("https://10.0.0.1/v.mp4"), "segmind", addresses("10.0.0.1"))
                .reason()).contains("private");
        assertThat(LOOPBACK_EXEMPT.check(URI.create("http://videos.example/v.mp4"), "segmind",
                addresses("93.184.216.34")).reason()).contains("plain http");
        assertThat(LOOPBACK_EXEMPT.check(URI.create("https://videos.example/v.mp4"), "segmind",
                addresses("93.184.216.34")).allowed()).isTrue();
    }

    @Test
    void aProviderAllowlistNamesExactHostsOrSubdomains() {
        DownloadUrlPolicy policy = new DownloadUrlPolicy(false,
                Map.of("aimlapi", List.of("cdn.aimlapi.example", ".storage.example")));

        assertThat(policy.precheck(URI.create("https://cdn.aimlapi.example/v.mp4"), "aimlapi").allowed()).isTrue();
        assertThat(policy.precheck(URI.create("https://CDN.aimlapi.example./v.mp4"), "aimlapi").allowed()).isTrue();
        assertThat(policy.precheck(URI.create("https://eu.storage.example/v.mp4"), "aimlapi").allowed()).isTrue();
        assertThat(policy.precheck(URI.create("https://evilstorage.example/v.mp4"), "aimlapi").reason())
                .contains("not in aimlapi's allowed hosts");
        assertThat(policy.precheck(URI.create("https://cdn.aimlapi.example.evil/v.mp4"), "aimlapi").allowed())
                .isFalse();
        // a provider without an entry may name any public host
        assertThat(policy.precheck(URI.create("https://anything.example/v.mp4"), "segmind").allowed()).isTrue();
        // an allowed host is still checked after resolution
        assertThat(policy.check(URI.create("https://cdn.aimlapi.example/v.mp4"), "aimlapi", addresses("10.0.0.7"))
                .allowed()).isFalse();
    }

    @Test
    void aHostThatResolvesToNothingIsRefused() {
        assertThat(STRICT.check(URI.create("https://videos.example/v.mp4"), "segmind", List.of()).reason())
                .contains("no address");
    }

    static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    private static List<InetAddress> addresses(String... literals) {
        return Arrays.stream(literals).map(DownloadUrlPolicyTest::literal).toList();
    }
}
