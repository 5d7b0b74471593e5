package io.genworker.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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

    /**
     * @throws IllegalStateException when a verification key is set without the issuer tokens must name, or names a
     *         file that is not there (smallrye-jwt would only find out at the first token, and answer it 500)
     */
    static void check(ApiConfig config) {
        if (config.jwt().publicKeyLocation().isEmpty()) {
            return;
        }
        String location = config.jwt().publicKeyLocation().get().strip();
        if (config.jwt().issuer().isEmpty()) {
            throw new IllegalStateException("worker.api.jwt.public-key-location is set but worker.api.jwt.issuer is"
                    + " not: set the issuer the worker's tokens must name");
        }
        localFile(location).filter(file -> !Files.isReadable(file)).ifPresent(file -> {
            throw new IllegalStateException("worker.api.jwt.public-key-location names " + file
                    + ", which is not a readable file");
        });
    }

    /**
     * The file a key location names as {@code file:...}; none for a URL, an inline key or a bare path (smallrye-jwt
     * looks for that on the class path too).
     */
    static Optional<Path> localFile(String location) {
        return location.startsWith("file:") ? Optional.of(Path.of(location.substring("file:".length())))
                : Optional.empty();
    }
}
