package io.genworker.flow;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A worker that holds only a few jobs in flight, so that a burst of requests runs into its cap. */
public class BackpressureProfile implements QuarkusTestProfile {

    /** worker.tracker.max-in-flight in this profile. */
    static final int MAX_IN_FLIGHT = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("worker.tracker.max-in-flight", Integer.toString(MAX_IN_FLIGHT));
    }
}
