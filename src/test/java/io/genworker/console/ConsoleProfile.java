package io.genworker.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.genworker.index.IndexProfile;
import io.genworker.support.PostgresResource;
import io.genworker.support.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/** The console's back ends, all real: the job index on PostgreSQL and the archive on an S3 API server. */
public class ConsoleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(new IndexProfile().getConfigOverrides());
        config.put("worker.console.refresh-choices", "1s,2s,5s");
        config.put("worker.console.refresh", "2s");
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresResource.class), new TestResourceEntry(S3ProxyResource.class));
    }
}
