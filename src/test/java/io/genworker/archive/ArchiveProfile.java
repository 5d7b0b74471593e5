package io.genworker.archive;

import java.util.List;
import java.util.Map;

import io.genworker.support.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/** A worker that archives into a real S3 API server, retrying copies quickly so that tests see retries. */
public class ArchiveProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "worker.archive.retry-initial", "200ms",
                "worker.archive.retry-max", "1s",
                "worker.archive.copy-timeout", "2m");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class));
    }
}
