package io.genworker.index;

import java.util.List;
import java.util.Map;

import io.genworker.support.PostgresResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/** A worker with its job index on, on the shared embedded PostgreSQL; small batches so tests see several. */
public class IndexProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "worker.index.enabled", "true",
                "worker.index.batch-size", "200",
                "worker.index.retry-initial", "100ms",
                "worker.index.retry-max", "500ms");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class));
    }
}
