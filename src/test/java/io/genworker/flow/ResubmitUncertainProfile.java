package io.genworker.flow;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** worker.tracker.resubmit-uncertain=true, and a client timeout short enough that a late answer times out. */
public class ResubmitUncertainProfile implements QuarkusTestProfile {

    /** The providers' read timeout in this profile. */
    static final int CLIENT_TIMEOUT_MILLIS = 1500;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "worker.tracker.resubmit-uncertain", "true",
                "quarkus.rest-client.aimlapi.read-timeout", Integer.toString(CLIENT_TIMEOUT_MILLIS),
                "quarkus.rest-client.segmind.read-timeout", Integer.toString(CLIENT_TIMEOUT_MILLIS));
    }
}
