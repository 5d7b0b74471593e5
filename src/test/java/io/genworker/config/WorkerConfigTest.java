package io.genworker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Settings as SmallRye Config reads them in the worker: durations in Quarkus' form, unknown keys under the prefix
 * refused as Quarkus refuses them.
 */
class WorkerConfigTest {

    @Test
    void jobDeadlinesDefaultToTwentyMinutesAndAtMostTwoHours() {
        WorkerConfig config = read(Map.of());

        assertThat(config.jobs().defaultTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.jobs().maxTimeout()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void theDeadlinesOldNamesStillWork() {
        WorkerConfig config = read(Map.of("worker.polling.default-job-timeout", "5m",
                "worker.polling.max-job-timeout", "1h"));

        assertThat(config.jobs().defaultTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.jobs().maxTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theNewNamesWinOverTheOld() {
        WorkerConfig config = read(Map.of("worker.polling.default-job-timeout", "5m",
                "worker.jobs.default-timeout", "7m"));

        assertThat(config.jobs().defaultTimeout()).isEqualTo(Duration.ofMinutes(7));
    }

    private static WorkerConfig read(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("worker.providers.aimlapi.base-url", "http://aimlapi.test");
        all.put("worker.providers.segmind.base-url", "http://segmind.test");
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(WorkerConfig.class)
                .withValidateUnknown(true)
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .build()
                .getConfigMapping(WorkerConfig.class);
    }
}
