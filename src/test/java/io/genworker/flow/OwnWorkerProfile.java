package io.genworker.flow;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * For a test class that leaves job-log partitions held (they stay held for the life of the application): each
 * subclass is a profile of its own, so the class gets a worker and a broker that no other class shares.
 */
abstract class OwnWorkerProfile implements QuarkusTestProfile {

    /** The job log's partitions in this profile. */
    static final int PARTITIONS = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("worker.topics.partitions", Integer.toString(PARTITIONS));
    }
}
