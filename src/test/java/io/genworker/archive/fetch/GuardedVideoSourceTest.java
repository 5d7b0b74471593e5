package io.genworker.archive.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.genworker.archive.fetch.VideoFetchException.Reason;
import io.genworker.support.SimulatedVideos;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * GuardedVideoSource against loopback servers only. Names resolve from a table (RecordingNetwork), every request
 * is recorded before it is sent and any request to a non-loopback address is stopped before it connects, so a
 * hostile URL can be shown to get no request at all, and no test traffic ever leaves this machine.
 */
class GuardedVideoSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Every test URL carries it in its query, as presigned URLs do: no message may show it. */
    private static final String SIGNATURE = "X-Amz-Signature=FAKE-SECRET-sig-42";
    private static final AtomicInteger REFUSED_BEFORE_ANY_CONNECTION = new AtomicInteger();
    private static final AtomicInteger REFUSED_AT_A_REDIRECT = new AtomicInteger();
    private static final AtomicInteger STOPPED_BY_SIZE_OR_LENGTH = new AtomicInteger();

    private static Vertx vertx;
    private static LocalVideoServer server;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        server = new LocalVideoServer();
    }

    @AfterAll
    static void stop() {
        System.out.printf("hostile URL cases: %d refused before any connection, %d refused at a redirect hop"
                + " (the loopback hop alone was requested), %d bodies stopped by the size limit or their length%n",
                REFUSED_BEFORE_ANY_CONNECTION.get(), REFUSED_AT_A_REDIRECT.get(), STOPPED_BY_SIZE_OR_LENGTH.get());
        server.close();
        vertx.closeAndAwait();
    }

    static Stream<Arguments> hostileUrls() {
        TestFetchConfig strict = TestFetchConfig.strict();
        TestFetchConfig exempt = TestFetchConfig.loopbackExempt();
        Function<Integer, String> local = port -> "127.0.0.1:" + port;
        return Stream.of(
                Arguments.of("loopback over http, no exemption", strict, "http://" + local.apply(0) + "/video/10"),
                Arguments.of("loopback over https, no exemption", strict, "https://" + local.apply(0) + "/video/10"),
                Arguments.of("localhost by name, no exemption", strict, "https://localhost:{port}/video/10"),
                Arguments.of("127.10.20.30, no exemption", strict, "https://127.10.20.30:{port}/video/10"),
                Arguments.of("metadata over http, even with the exemption", exempt,
                        "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
                Arguments.of("metadata over https", strict, "https://169.254.169.254/latest/meta-data/"),
                Arguments.of("10/8", exempt, "https://10.0.0.1/v.mp4"),
                Arguments.of("172.16/12", exempt, "https://172.16.0.1/v.mp4"),
                Arguments.of("192.168/16", exempt, "https://192.168.1.1/v.mp4"),
                Arguments.of("100.64/10 (CGNAT)", exempt, "https://100.64.0.1/v.mp4"),
                Arguments.of("[::1], no exemption", strict, "https://[::1]:{port}/video/10"),
                Arguments.of("[fd00::1]", exempt, "https://[fd00::1]/v.mp4"),
                Arguments.of("[fe80::1]", exempt, "https://[fe80::1]/v.mp4"),
                Arguments.of("AWS IPv6 metadata [fd00:ec2::254]", exempt, "https://[fd00:ec2::254]/latest/"),
                Arguments.of("[::ffff:127.0.0.1], no exemption", strict, "https://[::ffff:127.0.0.1]:{port}/v"),
                Arguments.of("[::ffff:169.254.169.254]", exempt, "https://[::ffff:169.254.169.254]/latest/"),
                Arguments.of("[::ffff:10.0.0.1]", exempt, "https://[::ffff:10.0.0.1]/v.mp4"),
                Arguments.of("0.0.0.0", exempt, "https://0.0.0.0:{port}/video/10"),
                Arguments.of("file:", exempt, "file:///etc/passwd"),
                Arguments.of("ftp:", exempt, "ftp://videos.example/v.mp4"),
                Arguments.of("gopher:", exempt, "gopher://videos.example/v.mp4"),
                Arguments.of("user info", exempt, "https://user:pw@videos.example/v.mp4"),
                Arguments.of("a name resolving to 10.1.2.3", exempt, "https://private.example/v.mp4"),
                Arguments.of("a name resolving to metadata", exempt, "https://metadata.example/latest/"),
                Arguments.of("a name resolving to public and loopback", strict, "https://mixed.example/v.mp4"),
                Arguments.of("plain http to a public host, with the exemption", exempt, "http://cdn.example/v.mp4"),
                Arguments.of("a host outside the provider's allowlist", strict.withAllowedHosts("aimlapi",
                        "cdn.aimlapi.com"), "https://cdn.example/v.mp4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileUrls")
    void hostileUrlsAreRefusedBeforeAnyConnection(String name, TestFetchConfig config, String template) {
        RecordingNetwork network = hostileNames();
        int connectionsBefore = server.connections();
        String url = template.replace("{port}", Integer.toString(server.port())).replace(":0/", ":" + server.port()
                + "/") + "?" + SIGNATURE;

        VideoFetchException refused = failure(source(config, network).open(url, "aimlapi"));

        assertThat(refused.reason()).as(refused.getMessage()).isEqualTo(Reason.REFUSED_URL);
        assertThat(refused.retryable()).isFalse();
        assertThat(refused.getMessage()).doesNotContain("FAKE-SECRET").doesNotContain("pw@");
        assertThat(network.requests()).as("requests sent").isEmpty();
        assertThat(server.connections()).as("connections accepted").isEqualTo(connectionsBefore);
        REFUSED_BEFORE_ANY_CONNECTION.incrementAndGet();
    }

    @ParameterizedTest(name = "redirect to {0}")
    @CsvSource({ "https://10.0.0.1/v.mp4", "http://169.254.169.254/latest/meta-data/", "https://[fd00::1]/v.mp4",
            "http://private.example/v.mp4", "file:///etc/passwd", "ftp://videos.example/v.mp4" })
    void aRedirectFromTheExemptLoopbackToAPrivateAddressIsRefusedBeforeItIsRequested(String target) {
        RecordingNetwork network = hostileNames();
        String url = server.url("/redirect?to=" + URLEncoder.encode(target + "?" + SIGNATURE,
                StandardCharsets.UTF_8));

        VideoFetchException refused = failure(source(TestFetchConfig.loopbackExempt(), network)
                .open(url, "segmind"));

        assertThat(refused.reason()).as(refused.getMessage()).isEqualTo(Reason.REFUSED_URL);
        assertThat(refused.getMessage()).contains("redirected from").doesNotContain("FAKE-SECRET");
        assertThat(network.requests()).as("requests sent: the loopback hop only").hasSize(1);
        assertThat(network.requests().get(0).getServer().host()).isEqualTo("127.0.0.1");
        assertThat(network.stopped()).isEmpty();
        REFUSED_AT_A_REDIRECT.incrementAndGet();
    }

    @Test
    void theVideoStreamsFromTheApprovedAddressWithTheHostNameInTheHostHeader() throws Exception {
        RecordingNetwork network = new RecordingNetwork().name("videos.test", "127.0.0.1");
        int size = 300_000;

        VideoStream stream = await(source(TestFetchConfig.loopbackExempt(), network)
                .open("http://videos.test:" + server.port() + "/video/" + size + "?" + SIGNATURE, "segmind"));

        assertThat(stream.announcedLength()).isEqualTo(size);
        assertThat(stream.contentType()).isEqualTo("video/mp4");
        assertThat(sha256(stream)).isEqualTo(SimulatedVideos.sha256(LocalVideoServer.SEED, size));
        assertThat(network.lookups()).containsExactly("videos.test");
        assertThat(network.requests()).singleElement().satisfies(request -> {
            assertThat(request.getServer().host()).isEqualTo("127.0.0.1");
            assertThat(request.getHost()).isEqualTo("videos.test");
            assertThat(request.getFollowRedirects()).isFalse();
        });
        assertThat(server.requests()).contains("videos.test:" + server.port() + " /video/" + size);
    }

    @Test
    void redirectsAreFollowedHopByHopUpToTheLimit() throws Exception {
        RecordingNetwork network = new RecordingNetwork();
        GuardedVideoSource source = source(TestFetchConfig.loopbackExempt(), network);

        VideoStream stream = await(source.open(server.url("/redirect?to=/video/1000"), "segmind"));
        assertThat(sha256(stream)).isEqualTo(SimulatedVideos.sha256(LocalVideoServer.SEED, 1000));
        assertThat(network.requests()).hasSize(2);

        RecordingNetwork looping = new RecordingNetwork();
        VideoFetchException tooMany = failure(source(TestFetchConfig.loopbackExempt(), looping)
                .open(server.url("/loop"), "segmind"));
        assertThat(tooMany.reason()).isEqualTo(Reason.REFUSED_URL);
        assertThat(tooMany.getMessage()).contains("more than 3 redirects");
        assertThat(looping.requests()).hasSize(4);
    }

    @ParameterizedTest
    @CsvSource({ "403, EXPIRED, false", "404, EXPIRED, false", "410, EXPIRED, false", "400, HTTP_ERROR, false",
            "204, HTTP_ERROR, false", "429, HTTP_ERROR, true", "500, HTTP_ERROR, true", "503, HTTP_ERROR, true" })
    void answersOtherThan200AreClassified(int status, Reason reason, boolean retryable) {
        VideoFetchException failed = failure(source(TestFetchConfig.loopbackExempt(), new RecordingNetwork())
                .open(server.url("/status/" + status + "?" + SIGNATURE), "segmind"));

        assertThat(failed.reason()).isEqualTo(reason);
        assertThat(failed.retryable()).isEqualTo(retryable);
        assertThat(failed.getMessage()).contains("HTTP " + status).doesNotContain("FAKE-SECRET");
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() {
        VideoFetchException tooLarge = failure(source(TestFetchConfig.loopbackExempt().withMaxBytes(1000),
                new RecordingNetwork()).open(server.url("/video/5000"), "segmind"));

        assertThat(tooLarge.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(tooLarge.getMessage()).contains("Content-Length 5000 over the limit of 1000 bytes");
        STOPPED_BY_SIZE_OR_LENGTH.incrementAndGet();
    }

    @Test
    void aChunkedBodyIsCutAtTheLimit() {
        VideoStream stream = await(source(TestFetchConfig.loopbackExempt().withMaxBytes(100_000),
                new RecordingNetwork()).open(server.url("/chunked/300000"), "segmind"));
        assertThat(stream.announcedLength()).isEqualTo(-1);

        VideoFetchException tooLarge = catchThrowableOfType(() -> sha256(stream), VideoFetchException.class);

        assertThat(tooLarge.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(tooLarge.retryable()).isFalse();
        STOPPED_BY_SIZE_OR_LENGTH.incrementAndGet();
    }

    @Test
    void aBodyEndingShortOfItsContentLengthFailsRetryable() {
        VideoStream stream = await(source(TestFetchConfig.loopbackExempt(), new RecordingNetwork())
                .open(server.rawUrl("/short"), "segmind"));
        assertThat(stream.announcedLength()).isEqualTo(5000);

        VideoFetchException cut = catchThrowableOfType(() -> sha256(stream), VideoFetchException.class);

        // on the wire a lie and a cut connection look the same: both are worth another try
        assertThat(cut.reason()).isEqualTo(Reason.INTERRUPTED);
        assertThat(cut.retryable()).isTrue();
        assertThat(cut.getMessage()).containsPattern("after (0|1000) of 5000 bytes");
        STOPPED_BY_SIZE_OR_LENGTH.incrementAndGet();
    }

    @Test
    void aBodyLongerThanItsContentLengthYieldsNoMoreThanAnnounced() throws Exception {
        VideoStream stream = await(source(TestFetchConfig.loopbackExempt(), new RecordingNetwork())
                .open(server.rawUrl("/long"), "segmind"));

        // HTTP/1.1 framing ends the body at Content-Length (checked against max-bytes): the rest is never read
        assertThat(stream.announcedLength()).isEqualTo(1000);
        assertThat(sha256(stream)).isEqualTo(SimulatedVideos.sha256(LocalVideoServer.SEED, 1000));
        STOPPED_BY_SIZE_OR_LENGTH.incrementAndGet();
    }

    @Test
    void aServerThatGoesSilentTimesOutRetryable() {
        VideoFetchException timedOut = failure(source(TestFetchConfig.loopbackExempt()
                .withIdleTimeout(Duration.ofMillis(300)), new RecordingNetwork())
                .open(server.url("/silent?" + SIGNATURE), "segmind"));

        assertThat(timedOut.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(timedOut.retryable()).isTrue();
        assertThat(timedOut.getMessage()).doesNotContain("FAKE-SECRET");
    }

    /**
     * The archive stops asking for bytes while it uploads a part, for as long as storage takes: that is not a
     * stalled provider, and the download goes on when the reader asks again.
     */
    @Test
    void aReaderThatStopsAskingForLongerThanTheIdleTimeoutIsNotCutOff() throws Exception {
        int size = 2_000_000;
        VideoStream stream = await(source(TestFetchConfig.loopbackExempt().withIdleTimeout(Duration.ofMillis(300)),
                new RecordingNetwork()).open(server.url("/video/" + size), "segmind"));
        AssertSubscriber<Buffer> reader = stream.body().subscribe().withSubscriber(AssertSubscriber.create(1));
        reader.awaitItems(1, WAIT);

        // The pause is the behaviour under test (a reader busy uploading), not a wait for something: 5 idle timeouts.
        Thread.sleep(1_500);
        reader.request(Long.MAX_VALUE);

        reader.awaitCompletion(WAIT);
        assertThat(reader.getItems().stream().mapToLong(Buffer::length).sum()).isEqualTo(size);
    }

    @Test
    void aRefusedConnectionIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        VideoFetchException refused = failure(source(TestFetchConfig.loopbackExempt(), new RecordingNetwork())
                .open("http://127.0.0.1:" + closedPort + "/v.mp4?" + SIGNATURE, "segmind"));

        assertThat(refused.reason()).isEqualTo(Reason.INTERRUPTED);
        assertThat(refused.retryable()).isTrue();
        assertThat(refused.getMessage()).doesNotContain("FAKE-SECRET");
    }

    @Test
    void anUnparsableUrlIsRefusedWithoutQuotingIt() {
        VideoFetchException refused = failure(source(TestFetchConfig.strict(), new RecordingNetwork())
                .open("https://videos.example/a b?" + SIGNATURE, "segmind"));

        assertThat(refused.reason()).isEqualTo(Reason.REFUSED_URL);
        assertThat(refused.getMessage()).doesNotContain("FAKE-SECRET").doesNotContain("videos.example");
    }

    private static RecordingNetwork hostileNames() {
        return new RecordingNetwork()
                .name("localhost", "127.0.0.1")
                .name("private.example", "10.1.2.3")
                .name("metadata.example", "169.254.169.254")
                .name("mixed.example", "93.184.216.34", "127.0.0.1")
                .name("cdn.example", "93.184.216.34");
    }

    private static GuardedVideoSource source(TestFetchConfig config, RecordingNetwork network) {
        return new GuardedVideoSource(vertx, config, network, network::beforeRequest);
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    private static VideoFetchException failure(Uni<?> uni) {
        return catchThrowableOfType(() -> uni.await().atMost(WAIT), VideoFetchException.class);
    }

    /** Reads the body as a consumer would, one chunk at a time, and returns its SHA-256. */
    static String sha256(VideoStream stream) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Buffer chunk : stream.body().subscribe().asIterable()) {
            sha.update(chunk.getBytes());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
