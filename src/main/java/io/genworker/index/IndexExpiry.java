package io.genworker.index;

import java.sql.SQLException;
import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.quarkus.scheduler.Scheduled;

/**
 * Rows expire with the dedup window, as the job log's records do: a job finished before now minus the window is
 * deleted from the index. A database that is down skips a round; the next one deletes what is due.
 */
@ApplicationScoped
public class IndexExpiry {

    private static final Logger LOG = Logger.getLogger(IndexExpiry.class);

    private final IndexDatabase database;
    private final WorkerConfig worker;
    private final Clock clock;

    public IndexExpiry(IndexDatabase database, WorkerConfig worker, Clock clock) {
        this.database = database;
        this.worker = worker;
        this.clock = clock;
    }

    @Scheduled(every = "${worker.index.expiry-interval:10m}", delayed = "${worker.index.expiry-interval:10m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        if (!database.enabled()) {
            return;
        }
        try {
            int deleted = database.store().expire(clock.instant().minus(worker.topics().dedupWindow()));
            if (deleted > 0) {
                LOG.infof("job index: %d jobs finished before the dedup window deleted", deleted);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("job index: expiry skipped, the database failed: %s", e.getMessage());
        }
    }
}
