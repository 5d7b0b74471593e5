package io.genworker.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.CommonClientConfigs;

/** The connection settings of the `kafka.*` configuration that plain clients share with the connector's. */
public final class KafkaSettings {

    /** Connector-only keys in the default-kafka-broker map that plain clients would warn about. */
    private static final Set<String> NOT_FOR_CLIENTS = Set.of("devservices", "health", "snappy");

    private KafkaSettings() {
    }

    public static Map<String, Object> clientProperties(Map<String, Object> kafka) {
        Map<String, Object> props = new HashMap<>();
        kafka.forEach((key, value) -> {
            String root = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            if (!NOT_FOR_CLIENTS.contains(root)) {
                props.put(key, value);
            }
        });
        props.putIfAbsent(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        return props;
    }
}
