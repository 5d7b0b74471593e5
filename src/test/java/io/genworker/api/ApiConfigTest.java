package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The API is closed unless configured open, and its JWT settings are smallrye-jwt's. */
class ApiConfigTest {

    @Test
    void byDefaultNoMechanismIsConfigured() {
        ApiConfig config = read(Map.of()).getConfigMapping(ApiConfig.class);

        assertThat(config.basic().enabled()).isFalse();
        assertThat(config.jwt().publicKeyLocation()).isEmpty();
        assertThat(config.writeTimeout()).isEqualTo(Duration.ofSeconds(5));
        ApiStartup.check(config);
    }

    @Test
    void theJwtSettingsConfigureSmallryeJwt() {
        SmallRyeConfig config = read(Map.of("worker.api.jwt.public-key-location", "https://idp.test/jwks",
                "worker.api.jwt.issuer", "https://idp.test", "worker.api.jwt.roles-claim", "roles"));

        assertThat(config.getOptionalValue("mp.jwt.verify.publickey.location", String.class))
                .hasValue("https://idp.test/jwks");
        assertThat(config.getOptionalValue("mp.jwt.verify.issuer", String.class)).hasValue("https://idp.test");
        assertThat(config.getOptionalValue("smallrye.jwt.path.groups", String.class)).hasValue("roles");
        assertThat(read(Map.of()).getOptionalValue("mp.jwt.verify.issuer", String.class)).isEmpty();
    }

    @Test
    void aKeyWithoutAnIssuerIsRefused() {
        ApiConfig config = read(Map.of("worker.api.jwt.public-key-location", "https://idp.test/jwks"))
                .getConfigMapping(ApiConfig.class);

        assertThatThrownBy(() -> ApiStartup.check(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("worker.api.jwt.issuer");
    }

    @Test
    void aKeyFileThatIsNotThereIsRefusedAtStart() {
        ApiConfig config = read(Map.of("worker.api.jwt.public-key-location", "file:/nonexistent/public.pem",
                "worker.api.jwt.issuer", "https://idp.test")).getConfigMapping(ApiConfig.class);

        assertThatThrownBy(() -> ApiStartup.check(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/public.pem");
        ApiStartup.check(read(Map.of("worker.api.jwt.public-key-location", "https://idp.test/jwks",
                "worker.api.jwt.issuer", "https://idp.test")).getConfigMapping(ApiConfig.class));
    }

    private static SmallRyeConfig read(Map<String, String> settings) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new ApiJwtSettings())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(ApiConfig.class)
                .withSources(new PropertiesConfigSource(settings, "test", 500))
                .build();
    }
}
