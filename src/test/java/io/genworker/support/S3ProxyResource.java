package io.genworker.support;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real S3 API server (s3proxy on a filesystem directory) and points the worker's archive at it, with the
 * credentials in the AWS SDK's system properties (its default chain reads them, as it reads the environment on a
 * packaged worker). Video URLs of the simulator are plain http on loopback: the test-only exemption is set too.
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "videos";
    private static S3ProxyServer server;
    private static Path directory;

    public static S3ProxyServer server() {
        return server;
    }

    /** Starts the server again on its port and directory, after a test stopped it (storage down, then back). */
    public static S3ProxyServer restart() {
        server = S3ProxyServer.start(directory, BUCKET, server.port());
        return server;
    }

    @Override
    public Map<String, String> start() {
        directory = Path.of("target", "s3proxy", UUID.randomUUID().toString()).toAbsolutePath();
        server = S3ProxyServer.start(directory, BUCKET);
        System.setProperty("aws.accessKeyId", server.accessKey());
        System.setProperty("aws.secretAccessKey", server.secretKey());
        return Map.of(
                "worker.archive.enabled", "true",
                "worker.archive.bucket", BUCKET,
                "worker.archive.endpoint-override", server.endpoint().toString(),
                "worker.archive.region", server.region(),
                "worker.archive.path-style", "true",
                "worker.archive.fetch.allow-loopback", "true");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
