package io.genworker.api;

import java.util.Map;

import io.smallrye.config.FallbackConfigSourceInterceptor;

/**
 * Lets the JWT settings of {@link ApiConfig} ({@code worker.api.jwt.*}) configure smallrye-jwt: each
 * {@code mp.jwt.*} / {@code smallrye.jwt.*} key it reads falls back to ours when it is not set itself. (An
 * expression such as {@code mp.jwt.verify.issuer=${worker.api.jwt.issuer:}} would not do: smallrye-jwt refuses the
 * empty value it gives when ours is unset.) Registered in META-INF/services.
 */
public class ApiJwtSettings extends FallbackConfigSourceInterceptor {

    private static final long serialVersionUID = 1L;

    public ApiJwtSettings() {
        super(Map.of(
                "mp.jwt.verify.publickey.location", "worker.api.jwt.public-key-location",
                "mp.jwt.verify.issuer", "worker.api.jwt.issuer",
                "smallrye.jwt.path.groups", "worker.api.jwt.roles-claim"));
    }
}
