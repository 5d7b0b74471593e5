package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class ApiChallengeTest {

    @Test
    void aWorkerWithoutBasicNeverInvitesBasic() {
        assertThat(ApiChallenge.of(config(Map.of("worker.api.jwt.public-key-location", "k"))))
                .containsExactly("Bearer realm=\"generation-worker\"");
        assertThat(ApiChallenge.of(config(Map.of()))).containsExactly("Bearer realm=\"generation-worker\"");
    }

    @Test
    void basicIsOfferedOnlyWhereItIsOn() {
        assertThat(ApiChallenge.of(config(Map.of("worker.api.basic.enabled", "true"))))
                .containsExactly("Basic realm=\"generation-worker\", charset=\"UTF-8\"");
        assertThat(ApiChallenge.of(config(Map.of("worker.api.basic.enabled", "true",
                "worker.api.jwt.public-key-location", "k")))).hasSize(2);
    }

    private static ApiConfig config(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(ApiConfig.class).withSources(new PropertiesConfigSource(settings, "test", 500)).build()
                .getConfigMapping(ApiConfig.class);
    }
}
