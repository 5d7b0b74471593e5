package io.genworker.archive.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpServer;

/**
 * The download connects to the address the policy approved, not to the name: over TLS it must still send the name
 * as SNI and check the certificate against the name, or every real CDN (shared front ends, certificates for names)
 * would fail, or, worse, any certificate would do. A loopback HTTPS server with a certificate of its own shows both.
 */
class GuardedVideoSourceTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "changeit-test";

    /** A self-signed certificate for one DNS name: its PKCS12 keystore (the server's) and its PEM (trusted). */
    private record Certificate(Path keystore, Path pem) {
    }

    @TempDir
    Path dir;

    private Vertx vertx;
    private HttpServer server;
    private final List<String> serverNames = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.closeAndAwait();
        }
        vertx.closeAndAwait();
    }

    @Test
    void overTlsTheNameGoesAsSniAndTheCertificateIsCheckedAgainstIt() throws Exception {
        Certificate certificate = certificate("videos.test");
        int port = serve(certificate);
        RecordingNetwork network = new RecordingNetwork().name("videos.test", "127.0.0.1");

        VideoStream stream = source(network, certificate).open("https://videos.test:" + port + "/v.mp4", "segmind")
                .await().atMost(WAIT);

        assertThat(stream.body().collect().in(StringBuilder::new, (text, b) -> text.append(b.toString()))
                .await().atMost(WAIT).toString()).isEqualTo("video-bytes");
        assertThat(network.requests()).singleElement()
                .satisfies(request -> assertThat(request.getServer().host()).isEqualTo("127.0.0.1"));
        assertThat(serverNames).containsExactly("videos.test");
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        Certificate certificate = certificate("elsewhere.test");
        int port = serve(certificate);
        RecordingNetwork network = new RecordingNetwork().name("videos.test", "127.0.0.1");

        VideoFetchException refused = catchThrowableOfType(() -> source(network, certificate)
                .open("https://videos.test:" + port + "/v.mp4", "segmind").await().atMost(WAIT),
                VideoFetchException.class);

        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("videos.test").contains("TLS failed");
        assertThat(refused.retryable()).as("a certificate that does not name the host will not start to").isFalse();
        assertThat(serverNames).as("no request got through").isEmpty();
    }

    private int serve(Certificate certificate) {
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
                .setKeyCertOptions(new PfxOptions().setPath(certificate.keystore().toString())
                        .setPassword(PASSWORD)))
                .requestHandler(request -> {
                    serverNames.add(String.valueOf(request.connection().indicatedServerName()));
                    request.response().putHeader("Content-Type", "video/mp4").endAndForget(Buffer.buffer(
                            "video-bytes"));
                });
        return server.listenAndAwait(0, "127.0.0.1").actualPort();
    }

    private GuardedVideoSource source(RecordingNetwork network, Certificate trusted) {
        return new GuardedVideoSource(vertx, TestFetchConfig.loopbackExempt(), network, network::beforeRequest,
                options -> options.setTrustOptions(new PemTrustOptions().addCertPath(trusted.pem().toString())));
    }

    /** Made with the JDK's keytool (Netty's self-signed helper needs internals JDK 17 closes). */
    private Certificate certificate(String name) throws IOException, InterruptedException {
        Path keystore = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + name, "-ext", "SAN=dns:" + name, "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", pem.toString());
        return new Certificate(keystore, pem);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
