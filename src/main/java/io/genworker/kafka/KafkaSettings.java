package io.genworker.kafka;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;

import io.genworker.config.WorkerConfig;

/** The connection settings of the `kafka.*` configuration that plain clients share with the connector's. */
public final class KafkaSettings {

    /** Connector-only keys in the default-kafka-broker map that plain clients would warn about. */
    private static final Set<String> NOT_FOR_CLIENTS = Set.of("devservices", "health", "snappy");
    /** The base of every client id when the user sets no `kafka.client.id`. */
    static final String DEFAULT_CLIENT_ID = "generation-worker";

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

    /**
     * The {@code client.id} of one of this worker's Kafka clients: {@code <base>-<role>-<pod>}. The base is the
     * user's {@code kafka.client.id} (else {@value #DEFAULT_CLIENT_ID}), so that quotas and the broker's logs
     * attribute the traffic to them; the role tells the worker's clients apart (intake, tracker, writer...); the pod
     * part tells the workers apart: {@code worker.tracker.instance-id} when set (stable across restarts, like the
     * pod name it usually is), else the host name (the pod name on Kubernetes).
     */
    public static String clientId(Map<String, Object> kafka, WorkerConfig config, String role) {
        return clientId(Optional.ofNullable(kafka.get(CommonClientConfigs.CLIENT_ID_CONFIG)).map(Object::toString),
                config.tracker().instanceId(), role);
    }

    static String clientId(Optional<String> userId, Optional<String> instanceId, String role) {
        String base = userId.map(String::strip).filter(id -> !id.isEmpty()).orElse(DEFAULT_CLIENT_ID);
        String pod = instanceId.map(String::strip).filter(id -> !id.isEmpty()).orElseGet(() -> Host.NAME);
        return base + "-" + role + "-" + safe(pod);
    }

    /**
     * Whether the consumers join their groups with the KIP-848 protocol ({@code kafka.group.protocol=consumer}):
     * then the broker decides session timeout, heartbeat interval and assignment, and a consumer that sets them
     * refuses to start.
     */
    public static boolean consumerGroupProtocol(Map<String, Object> kafka) {
        Object protocol = kafka.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        return protocol != null
                && GroupProtocol.CONSUMER.name().equals(protocol.toString().strip().toUpperCase(Locale.ROOT));
    }

    /** Client ids end up in metric labels and MBean names: keep the pod part to a plain alphabet. */
    private static String safe(String pod) {
        return pod.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /** The host name, looked up once; a short random id where the machine has none that resolves. */
    private static final class Host {

        static final String NAME = lookUp();

        private static String lookUp() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env.strip();
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return UUID.randomUUID().toString().substring(0, 8);
            }
        }
    }
}
