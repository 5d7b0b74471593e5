package io.genworker.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The HTTP API's settings (`worker.api.*`). The API is never open: a call to {@code /v1} needs a bearer JWT signed
 * by the configured key, or, where {@code basic.enabled} allows it, the Basic credentials generated into
 * {@code credentials-file}; with neither configured every call is refused 401.
 */
@ConfigMapping(prefix = "worker.api")
public interface ApiConfig {

    /** Whether the {@code /v1} endpoints answer at all; off, they answer 404 (health and metrics stay). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Where the Basic users' passwords are kept: generated at the first start with Basic enabled, readable by its
     * owner only (POSIX 600); a file that others may read is refused. The start-up log names this path, never a
     * password.
     */
    @WithDefault("api-credentials.properties")
    Path credentialsFile();

    Basic basic();

    Jwt jwt();

    /** How long a write (submit, cancel) waits for the broker's acknowledgement before it answers 503. */
    @WithDefault("5s")
    Duration writeTimeout();

    /**
     * The most jobs one bulk cancel or retry may act on: a filter that matches more is refused (its dry run says how
     * many it matches), so that one call can neither flood the topics nor cancel a fleet's work by mistake.
     */
    @WithDefault("1000")
    int bulkMax();

    interface Basic {
        /**
         * Whether HTTP Basic with the generated users {@code operator} and {@code viewer} is accepted: for a single
         * machine (the embedded run); deployments use bearer tokens.
         */
        @WithDefault("false")
        boolean enabled();
    }

    interface Jwt {
        /**
         * The key bearer tokens are verified with: a PEM or JWK(S) file, a classpath resource or an https JWKS URL
         * (mp.jwt.verify.publickey.location). Unset: no bearer token is accepted.
         */
        Optional<String> publicKeyLocation();

        /** The issuer ({@code iss}) a token must name; required when a key is set. */
        Optional<String> issuer();

        /** The claim holding the caller's roles ({@code viewer}, {@code operator}). */
        @WithDefault("groups")
        String rolesClaim();
    }
}
