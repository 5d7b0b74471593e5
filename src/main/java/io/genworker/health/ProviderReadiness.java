package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.provider.ProviderPauses;

/** Not ready while a provider refuses the account: its jobs wait, and operators must fix the key or credits. */
@Readiness
@ApplicationScoped
public class ProviderReadiness implements HealthCheck {

    private final ProviderPauses pauses;

    public ProviderReadiness(ProviderPauses pauses) {
        this.pauses = pauses;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("providers").up();
        pauses.paused().forEach((provider, pause) -> response.down()
                .withData(provider, "paused since " + pause.since() + ": " + pause.reason()));
        return response.build();
    }
}
