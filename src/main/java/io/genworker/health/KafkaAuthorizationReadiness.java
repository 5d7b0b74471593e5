package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.kafka.KafkaAuthorization;

/**
 * Not ready while the broker refuses a client of the worker a permission: whatever that client does (read the job
 * log, write a transition, commit a result) waits until an operator grants it. Lists each refusal as client:
 * permission, e.g. {@code "tracker": "READ on Group generation-worker-tracker"}.
 */
@Readiness
@ApplicationScoped
public class KafkaAuthorizationReadiness implements HealthCheck {

    private final KafkaAuthorization authorization;

    public KafkaAuthorizationReadiness(KafkaAuthorization authorization) {
        this.authorization = authorization;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka-authorization").up();
        authorization.refusals().forEach((client, permission) -> response.down().withData(client, permission));
        return response.build();
    }
}
