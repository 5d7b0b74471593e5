package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.index.IndexConfig;
import io.genworker.index.IndexDatabase;
import io.genworker.index.JobIndexer;

/**
 * The job index: how many job-log records it is behind (`lag`), and DOWN while its database cannot be reached or
 * its consumer is not running. Jobs go on regardless (the index is off their path); only the API's reads wait.
 */
@Readiness
@ApplicationScoped
public class IndexReadiness implements HealthCheck {

    private final IndexConfig config;
    private final IndexDatabase database;
    private final JobIndexer indexer;

    public IndexReadiness(IndexConfig config, IndexDatabase database, JobIndexer indexer) {
        this.config = config;
        this.database = database;
        this.indexer = indexer;
    }

    @Override
    public HealthCheckResponse call() {
        if (!config.enabled()) {
            return HealthCheckResponse.named("index").up().withData("enabled", false).build();
        }
        boolean running = indexer.running();
        boolean reachable = database.store().reachable((int) Math.max(1, config.healthTimeout().toSeconds()));
        HealthCheckResponseBuilder response = HealthCheckResponse.named("index").status(running && reachable)
                .withData("consumer", running ? "running" : "stopped")
                .withData("database", reachable ? "reachable" : "unreachable")
                .withData("lag", indexer.lag());
        String failure = indexer.lastFailure();
        if (failure != null) {
            response.withData("lastFailure", failure);
        }
        return response.build();
    }
}
