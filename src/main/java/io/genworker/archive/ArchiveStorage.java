package io.genworker.archive;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * The archive's bucket as a bean. Built on first use (a client proxy), so a worker that does not archive never
 * creates an S3 client; one that does checks its settings at start-up and refuses to start with unusable ones.
 */
@ApplicationScoped
public class ArchiveStorage {

    private static final Logger LOG = Logger.getLogger(ArchiveStorage.class);

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(WorkerConfig config) {
        return new S3ObjectStore(ArchiveSettings.from(config.archive()));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }

    /** Fails start-up (with every unusable setting named) when archiving is on; logs where copies go. */
    void checkAtStartup(@Observes StartupEvent event, WorkerConfig config, ObjectStore store) {
        if (config.archive().enabled()) {
            LOG.infof("archiving finished videos into bucket %s%s", store.bucket(),
                    config.archive().endpointOverride().map(endpoint -> " at " + endpoint).orElse(""));
        }
    }
}
