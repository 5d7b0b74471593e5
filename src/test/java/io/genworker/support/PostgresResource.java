package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server (the zonky embedded binaries, no Docker) for every test of the JVM that uses it, as a
 * fleet of workers shares one database; started on first use, stopped when the JVM exits. Points the worker's job
 * index at it; the profile that uses it turns the index on.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgres server;
    private static Path dataDirectory;
    private static int port;

    /** The shared server, started on first call. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                dataDirectory = Path.of("target", "test-postgres", UUID.randomUUID().toString()).toAbsolutePath();
                try (ServerSocket socket = new ServerSocket(0)) {
                    port = socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = start(dataDirectory, port);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (server != null) {
                    close(server);
                }
            }));
        }
        return server;
    }

    /** Stops the shared server (its data kept): the worker's database is down until {@link #restart}. */
    public static synchronized void stopServer() {
        close(server());
    }

    /** Starts the shared server again, on the same port with the same data. */
    public static synchronized void restart() {
        server = start(dataDirectory, port);
    }

    /**
     * A server.
     *
     * @param dataDirectory where its files live (kept across runs), or null for a fresh temporary directory
     * @param port its port, 0 for a free one
     */
    public static EmbeddedPostgres start(Path dataDirectory, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    public static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    /** The worker's datasource settings for this server. */
    public static Map<String, String> datasource(EmbeddedPostgres postgres) {
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "");
    }

    @Override
    public Map<String, String> start() {
        return datasource(server());
    }

    @Override
    public void stop() {
        // Shared by the JVM: stopped by the shutdown hook.
    }

    private static void close(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            // the JVM is exiting
        }
    }
}
