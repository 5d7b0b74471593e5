package io.genworker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics.MeterSpec;

/** The README's metrics table names every meter of the catalogue, as Prometheus shows it. */
class MetricsReadmeTest {

    @Test
    void theReadmeTableListsEveryCatalogueMeter() throws IOException {
        String readme = Files.readString(Path.of("README.md"));

        for (MeterSpec spec : WorkerMetrics.CATALOGUE) {
            String name = spec.kind() == WorkerMetrics.Kind.COUNTER ? PrometheusNames.series(spec).get(0)
                    : PrometheusNames.family(spec);
            assertThat(readme).as("README row of %s", spec.name()).contains("| `" + name + "` |");
        }
    }
}
