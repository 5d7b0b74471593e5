package io.genworker.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A real S3 server for tests, no Docker: s3proxy serving a jclouds filesystem blob store, so each object is a plain
 * file under directory()/bucket/key that a test can read. It runs as a child JVM (S3ProxyMain, see there why not in
 * this one), from the test classpath, on loopback with SigV4 and a fixed test identity; its output goes to
 * s3proxy-*.log beside the directory.
 *
 * <pre>
 * S3ProxyServer s3 = S3ProxyServer.start(tempDir.resolve("blobs"), "archive");   // ephemeral port
 * ... s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region() ...
 * s3.stop();
 * </pre>
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "genworker-test-access";
    public static final String SECRET_KEY = "genworker-test-secret";
    public static final String REGION = "us-east-1";

    private final Process process;
    private final Path directory;
    private final String bucket;
    private final URI endpoint;

    private S3ProxyServer(Process process, Path directory, String bucket, URI endpoint) {
        this.process = process;
        this.directory = directory;
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    /** On an ephemeral port. */
    public static S3ProxyServer start(Path directory, String bucket) {
        return start(directory, bucket, 0);
    }

    /** On the given loopback port (0: ephemeral); bucket is created, empty, if missing. Returns once it listens. */
    public static S3ProxyServer start(Path directory, String bucket, int port) {
        try {
            Files.createDirectories(directory);
            String run = UUID.randomUUID().toString();
            Path portFile = directory.resolveSibling("s3proxy-" + run + ".port");
            Path log = directory.resolveSibling("s3proxy-" + run + ".log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", classpath(), S3ProxyMain.class.getName(), directory.toString(),
                    Integer.toString(port), ACCESS_KEY, SECRET_KEY, portFile.toString());
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            Process process = ChildProcesses.killedOnExit(builder.start());
            try {
                Awaitility.await("s3proxy on " + directory).atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(50))
                        .failFast("the s3proxy process ended; see " + log, () -> !process.isAlive())
                        .until(() -> Files.exists(portFile));
            } catch (RuntimeException e) {
                ChildProcesses.end(process, false);
                throw e;
            }
            int bound = Integer.parseInt(Files.readString(portFile).strip());
            S3ProxyServer server = new S3ProxyServer(process, directory, bucket, URI.create("http://127.0.0.1:" + bound));
            server.createBucket(bucket);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy on " + directory, e);
        }
    }

    /**
     * Another bucket (tests that assert on an empty bucket get one of their own). The filesystem store's buckets are
     * the directories under its root, so a directory made here is a bucket to the server at once.
     */
    public Path createBucket(String name) {
        try {
            return Files.createDirectories(bucketDirectory(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create bucket " + name, e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    public String bucket() {
        return bucket;
    }

    /** The blob store's root: one sub-directory per bucket. */
    public Path directory() {
        return directory;
    }

    public Path bucketDirectory(String name) {
        return directory.resolve(name);
    }

    /** The file the filesystem store keeps an object's bytes in. */
    public Path objectFile(String bucketName, String key) {
        return bucketDirectory(bucketName).resolve(key);
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** SIGTERM, and waits for the process to end: the port is closed when this returns. */
    public void stop() {
        ChildProcesses.end(process, true);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The test classpath without Guice 5, which would shadow jclouds' Guice 7: surefire names it in a property (its
     * own is a manifest-only jar); under exec:java (the embedded stack) it is the project class loader's.
     */
    private static String classpath() {
        String full = System.getProperty("surefire.test.class.path");
        if (full == null && Thread.currentThread().getContextClassLoader() instanceof URLClassLoader project) {
            full = Arrays.stream(project.getURLs()).map(S3ProxyServer::path).collect(
                    Collectors.joining(File.pathSeparator));
        }
        if (full == null) {
            full = System.getProperty("java.class.path");
        }
        return Arrays.stream(full.split(File.pathSeparator))
                .filter(entry -> !entry.replace('\\', '/').contains("/com/google/inject/guice/5."))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String path(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("not a file on the class path: " + url, e);
        }
    }
}
