package io.genworker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics.MeterSpec;

/** The metrics table, in the operations guide the README links to, names every catalogue meter as Prometheus does. */
class MetricsReadmeTest {

    static final Path METRICS_TABLE = Path.of("docs", "operations.md");

    @Test
    void theMetricsTableListsEveryCatalogueMeter() throws IOException {
        String doc = Files.readString(METRICS_TABLE);

        for (MeterSpec spec : WorkerMetrics.CATALOGUE) {
            String name = spec.kind() == WorkerMetrics.Kind.COUNTER ? PrometheusNames.series(spec).get(0)
                    : PrometheusNames.family(spec);
            assertThat(doc).as("%s row of %s", METRICS_TABLE, spec.name()).contains("| `" + name + "` |");
        }
    }
}
