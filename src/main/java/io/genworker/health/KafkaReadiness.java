package io.genworker.health;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaSettings;
import io.smallrye.common.annotation.Identifier;

/**
 * Not ready while the broker does not answer: intake cannot log requests and the tracker cannot write a transition.
 * The connector's own readiness check stays UP for a channel that has never connected, hence this one.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final Map<String, Object> kafka;
    private final WorkerConfig config;
    private final Duration timeout;
    private Admin admin;

    public KafkaReadiness(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig config) {
        this.kafka = kafka;
        this.config = config;
        this.timeout = config.health().kafkaTimeout();
    }

    @Override
    public HealthCheckResponse call() {
        try {
            Collection<Node> nodes = admin().describeCluster(new DescribeClusterOptions()
                    .timeoutMs((int) timeout.toMillis())).nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return HealthCheckResponse.named("kafka").up().withData("brokers", nodes.size()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        } catch (Exception e) {
            return down(e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    private static HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named("kafka").down().withData("reason", reason).build();
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = KafkaSettings.clientProperties(kafka);
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, "health"));
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
