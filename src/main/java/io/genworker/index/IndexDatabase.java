package io.genworker.index;

import jakarta.enterprise.context.ApplicationScoped;

import org.flywaydb.core.Flyway;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.genworker.config.WorkerConfig;
import io.quarkus.arc.InjectableInstance;

/**
 * The index's database, looked up only when the index is on: with `worker.index.enabled=false` the datasource is
 * inactive and never touched, so the worker runs without PostgreSQL.
 */
@ApplicationScoped
public class IndexDatabase {

    private final IndexConfig config;
    private final InjectableInstance<AgroalDataSource> dataSource;
    private final InjectableInstance<Flyway> flyway;
    private final JobRows rows;
    private final String topic;
    private volatile IndexStore store;

    public IndexDatabase(IndexConfig config, WorkerConfig worker, InjectableInstance<AgroalDataSource> dataSource,
            InjectableInstance<Flyway> flyway, ObjectMapper mapper) {
        this.config = config;
        this.dataSource = dataSource;
        this.flyway = flyway;
        this.rows = new JobRows(mapper);
        this.topic = worker.topics().jobs();
    }

    public boolean enabled() {
        return config.enabled();
    }

    public JobRows rows() {
        return rows;
    }

    public AgroalDataSource dataSource() {
        requireEnabled();
        return dataSource.get();
    }

    public IndexStore store() {
        requireEnabled();
        IndexStore current = store;
        if (current == null) {
            current = new IndexStore(dataSource.get(), rows, topic);
            store = current;
        }
        return current;
    }

    /** Brings the schema up to date (Flyway, db/migration); blocks on a database that is down, up to its timeouts. */
    public void migrate() {
        requireEnabled();
        flyway.get().migrate();
    }

    private void requireEnabled() {
        if (!config.enabled()) {
            throw new IllegalStateException("the job index is off (worker.index.enabled=false)");
        }
    }
}
