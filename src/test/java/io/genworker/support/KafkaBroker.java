package io.genworker.support;

import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka broker for tests and the embedded mode: a Testcontainers broker where a Docker engine answers, or
 * else a single-node KRaft cluster inside this JVM from Kafka's own test kit.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String KAFKA_IMAGE = "apache/kafka:4.2.1";

    private final KafkaClusterTestKit cluster;
    private final KafkaContainer container;
    private final String bootstrapServers;

    private KafkaBroker(KafkaClusterTestKit cluster, KafkaContainer container, String bootstrapServers) {
        this.cluster = cluster;
        this.container = container;
        this.bootstrapServers = bootstrapServers;
    }

    public static KafkaBroker start() {
        if (dockerAnswers()) {
            KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
            container.start();
            return new KafkaBroker(null, container, container.getBootstrapServers());
        }
        return startInJvm();
    }

    public static KafkaBroker startInJvm() {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            // One node: every internal topic must accept replication factor 1, or the consumer groups never form.
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "5")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster, null, cluster.bootstrapServers());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start an in-JVM Kafka broker", e);
        }
    }

    /** Testcontainers can hang on a dead socket: ask the docker CLI with a short timeout instead. */
    static boolean dockerAnswers() {
        if (Boolean.getBoolean("genworker.no-docker") || System.getenv("GENWORKER_NO_DOCKER") != null) {
            return false;
        }
        try {
            Process probe = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!probe.waitFor(5, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String kind() {
        return container != null ? "testcontainers" : "in-jvm KRaft";
    }

    @Override
    public void close() {
        try {
            if (cluster != null) {
                cluster.close();
            }
            if (container != null) {
                container.stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the Kafka broker", e);
        }
    }
}
