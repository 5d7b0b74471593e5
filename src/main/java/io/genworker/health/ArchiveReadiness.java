package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.archive.ArchiveFailure;
import io.genworker.archive.ObjectStore;
import io.genworker.config.WorkerConfig;

/**
 * Not ready while archiving is on and its bucket cannot be reached: finished jobs then wait (up to
 * `worker.archive.copy-timeout`) instead of completing, and operators must bring the storage back. Runs like the
 * Kafka check, blocking a health worker thread for at most `worker.health.kafka-timeout`.
 */
@Readiness
@ApplicationScoped
public class ArchiveReadiness implements HealthCheck {

    private final WorkerConfig config;
    private final ObjectStore store;

    public ArchiveReadiness(WorkerConfig config, ObjectStore store) {
        this.config = config;
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        if (!config.archive().enabled()) {
            return HealthCheckResponse.named("archive").up().withData("enabled", false).build();
        }
        try {
            store.check().await().atMost(config.health().kafkaTimeout());
            return HealthCheckResponse.named("archive").up().withData("bucket", store.bucket()).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("archive").down().withData("bucket", store.bucket())
                    .withData("reason", "storage unreachable, finished jobs wait for their copy: "
                            + ArchiveFailure.of(e).getMessage())
                    .build();
        }
    }
}
