package io.genworker.index;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The job index (issue 14): a PostgreSQL view of the job log for the HTTP API. Its own root, beside WorkerConfig.
 * Off, the worker needs no database at all: the datasource is inactive and the API's reads answer 503.
 */
@ConfigMapping(prefix = "worker.index")
public interface IndexConfig {

    /**
     * Whether the index (its consumer, its database, the API's reads) runs. Off by default: a worker turned on needs
     * its PostgreSQL (`quarkus.datasource.*`, or INDEX_DB_URL, INDEX_DB_USERNAME, INDEX_DB_PASSWORD), and is not
     * ready while it cannot reach it. The embedded run turns it on with a PostgreSQL of its own.
     */
    @WithDefault("false")
    boolean enabled();

    /** Consumer group of the indexer: it stores its offsets in the database, never in this group. */
    @WithDefault("generation-worker-index")
    String groupId();

    /** Most job-log records written to the database in one transaction. */
    @WithDefault("500")
    int batchSize();

    /** First pause after a database failure; it doubles up to `retry-max` while the database stays down. */
    @WithDefault("1s")
    Duration retryInitial();

    /** Longest pause between two attempts at a database that is down. */
    @WithDefault("30s")
    Duration retryMax();

    /** How often jobs finished before the dedup window are deleted from the index. */
    @WithDefault("10m")
    Duration expiryInterval();

    /** Longest a readiness check waits for the database to answer. */
    @WithDefault("2s")
    Duration healthTimeout();
}
