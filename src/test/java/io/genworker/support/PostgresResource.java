package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server (the zonky embedded binaries, no Docker) for every test of the JVM that uses it, as a
 * fleet of workers shares one database; started on first use, stopped when the JVM exits. Points the worker's job
 * index at it; the profile that uses it turns the index on.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgres server;

    /** The shared server, started on first call. */
    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            server = start(null);
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> close(started)));
        }
        return server;
    }

    /**
     * A server on a free port.
     *
     * @param dataDirectory where its files live (kept across runs), or null for a fresh temporary directory
     */
    public static EmbeddedPostgres start(Path dataDirectory) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
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
