package io.genworker.metrics;

import java.util.List;

import io.genworker.metrics.WorkerMetrics.MeterSpec;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheus.PrometheusNamingConvention;

/** The names a catalogue meter gets in Prometheus, by Micrometer's own naming convention. */
final class PrometheusNames {

    private static final PrometheusNamingConvention NAMING = new PrometheusNamingConvention();

    private PrometheusNames() {
    }

    /** The name of the meter's family as HELP and TYPE lines give it (counters without _total). */
    static String family(MeterSpec spec) {
        String name = NAMING.name(spec.name(), type(spec), spec.unit());
        return spec.kind() == WorkerMetrics.Kind.COUNTER ? name.replaceFirst("_total$", "") : name;
    }

    /** The series a scrape shows: counters end in _total, timers and summaries are histograms. */
    static List<String> series(MeterSpec spec) {
        String family = family(spec);
        return switch (spec.kind()) {
            case COUNTER -> List.of(family + "_total");
            case GAUGE -> List.of(family);
            case TIMER, SUMMARY -> List.of(family + "_count", family + "_sum", family + "_max", family + "_bucket");
        };
    }

    private static Meter.Type type(MeterSpec spec) {
        return switch (spec.kind()) {
            case COUNTER -> Meter.Type.COUNTER;
            case GAUGE -> Meter.Type.GAUGE;
            case TIMER -> Meter.Type.TIMER;
            case SUMMARY -> Meter.Type.DISTRIBUTION_SUMMARY;
        };
    }
}
