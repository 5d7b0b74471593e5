package io.genworker.flow;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * kafka.group.protocol=consumer (KIP-848) for both consumer groups, with the session timeout the broker's
 * group.consumer.session.timeout.ms default (45 s), as docs/operations.md tells: the ownership lease is half of it.
 */
public class ConsumerGroupProtocolProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "kafka.group.protocol", "consumer",
                "worker.tracker.session-timeout", "45s");
    }
}
