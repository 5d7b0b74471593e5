package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Says at start-up how the API can be called (never with what secret), and refuses a bearer-token setup that would
 * accept any issuer's tokens signed with the key.
 */
@ApplicationScoped
public class ApiStartup {

    private static final Logger LOG = Logger.getLogger(ApiStartup.class);

    private final ApiConfig config;

    @Inject
    public ApiStartup(ApiConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        check(config);
        if (!config.enabled()) {
            LOG.info("API: off (worker.api.enabled=false)");
            return;
        }
        String bearer = config.jwt().publicKeyLocation()
                .map(key -> "bearer JWTs from issuer " + config.jwt().issuer().orElseThrow() + " (key " + key
                        + ", roles in claim '" + config.jwt().rolesClaim() + "')")
                .orElse("no bearer JWTs (worker.api.jwt.public-key-location unset)");
        String basic = config.basic().enabled() ? "HTTP Basic on" : "HTTP Basic off";
        LOG.infof("API: /v1 takes %s; %s%s", bearer, basic,
                config.jwt().publicKeyLocation().isEmpty() && !config.basic().enabled()
                        ? ": every call is refused until one is configured" : "");
    }

    /** @throws IllegalStateException when a verification key is set without the issuer tokens must name */
    static void check(ApiConfig config) {
        if (config.jwt().publicKeyLocation().isPresent() && config.jwt().issuer().isEmpty()) {
            throw new IllegalStateException("worker.api.jwt.public-key-location is set but worker.api.jwt.issuer is"
                    + " not: set the issuer the worker's tokens must name");
        }
    }
}
