package io.genworker.support;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * The s3proxy child JVM of S3ProxyServer: a jclouds filesystem blob store on a directory, served by s3proxy on
 * loopback with SigV4 and the test identity, until SIGTERM. It cannot run inside the test JVM: jclouds 2.7 needs Guice
 * 7 (jakarta.inject), and quarkus-junit's Maven embedder puts Guice 5 (javax.inject) first on the test classpath,
 * under which jclouds' injector fails ("AsyncBus is not a binding annotation").
 *
 * <p>Arguments: directory, port (0: ephemeral), access key, secret key, port file. Once listening, the bound port is
 * written to the port file (atomically), which is how the parent learns it is up.
 */
public final class S3ProxyMain {

    private S3ProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path portFile = Path.of(args[4]);
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", directory.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .overrides(overrides)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, args[2], args[3])
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                System.err.println("s3proxy stop failed: " + e);
            } finally {
                context.close();
            }
        }));
        // Jetty's start() returns once the connector is bound, so the port is known and accepting.
        proxy.start();
        Path written = Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".tmp"),
                Integer.toString(proxy.getPort()));
        Files.move(written, portFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("s3proxy listening on 127.0.0.1:" + proxy.getPort() + " serving " + directory);
    }
}
