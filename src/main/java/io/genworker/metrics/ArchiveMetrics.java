package io.genworker.metrics;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.genworker.metrics.WorkerMetrics.Kind;
import io.genworker.metrics.WorkerMetrics.MeterSpec;
import io.genworker.provider.ProviderRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/**
 * The archive's meters (issue 13): copies by outcome, bytes, copy time, and how old the provider's video was when
 * it was copied, beside the provider's documented retention, so an alert can fire before copies start to find
 * expired URLs. Part of {@link WorkerMetrics#CATALOGUE}; every series exists at zero from start-up, archiving on or
 * off.
 */
@ApplicationScoped
public class ArchiveMetrics {

    public static final String COPIES = WorkerMetrics.PREFIX + "archive.copies";
    public static final String BYTES = WorkerMetrics.PREFIX + "archive.bytes";
    public static final String COPY_DURATION = WorkerMetrics.PREFIX + "archive.copy.duration";
    public static final String VIDEO_AGE = WorkerMetrics.PREFIX + "archive.video.age";
    public static final String RETENTION = WorkerMetrics.PREFIX + "archive.retention";
    public static final String TRANSFERS = WorkerMetrics.PREFIX + "archive.transfers";

    /** stored: copied now; reused: found complete in the bucket; retryable / permanent: the attempt failed. */
    static final List<String> OUTCOMES = List.of("stored", "reused", "retryable", "permanent");
    private static final List<String> PROVIDERS = List.of("aimlapi", "segmind");

    static final MeterSpec COPIES_SPEC = new MeterSpec(COPIES, Kind.COUNTER,
            "Attempts to copy a finished video into object storage, by outcome", null, WorkerMetrics.PROVIDER,
            "outcome");
    static final MeterSpec BYTES_SPEC = new MeterSpec(BYTES, Kind.COUNTER,
            "Bytes of videos stored in object storage", "bytes", WorkerMetrics.PROVIDER);
    static final MeterSpec COPY_DURATION_SPEC = new MeterSpec(COPY_DURATION, Kind.TIMER,
            "Time a successful copy took, download and upload", "seconds", WorkerMetrics.PROVIDER);
    static final MeterSpec VIDEO_AGE_SPEC = new MeterSpec(VIDEO_AGE, Kind.TIMER,
            "Time from the generation's end to its stored copy (compare with the provider's retention)", "seconds",
            WorkerMetrics.PROVIDER);
    static final MeterSpec RETENTION_SPEC = new MeterSpec(RETENTION, Kind.GAUGE,
            "How long the provider documents keeping a result (absent: undocumented)", "seconds",
            WorkerMetrics.PROVIDER);
    static final MeterSpec TRANSFERS_SPEC = new MeterSpec(TRANSFERS, Kind.GAUGE,
            "Copies running (running) and waiting for a free transfer (waiting)", null, "state");

    static final List<MeterSpec> SPECS = List.of(COPIES_SPEC, BYTES_SPEC, COPY_DURATION_SPEC, VIDEO_AGE_SPEC,
            RETENTION_SPEC, TRANSFERS_SPEC);

    private static final Duration[] COPY_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800);
    private static final Duration[] AGE_BUCKETS = seconds(10, 30, 60, 300, 600, 1200, 1800, 2700,
            3600, 7200);

    private final MeterRegistry registry;
    private final ProviderRouter providers;

    public ArchiveMetrics(MeterRegistry registry, ProviderRouter providers) {
        this.registry = registry;
        this.providers = providers;
    }

    void registerKnown(@Observes StartupEvent event) {
        for (String provider : PROVIDERS) {
            OUTCOMES.forEach(outcome -> copies(provider, outcome));
            bytes(provider);
            timer(COPY_DURATION_SPEC, COPY_BUCKETS, provider);
            timer(VIDEO_AGE_SPEC, AGE_BUCKETS, provider);
            providers.get(provider).resultRetention().ifPresent(retention -> Gauge.builder(RETENTION,
                    () -> retention.toSeconds()).description(RETENTION_SPEC.description())
                    .baseUnit(RETENTION_SPEC.unit()).tags(WorkerMetrics.PROVIDER, provider).register(registry));
        }
    }

    /** Registers the transfer gauges (once, by the archive's copier). */
    public void transferGauges(Supplier<Number> running, Supplier<Number> waiting) {
        Gauge.builder(TRANSFERS, running).description(TRANSFERS_SPEC.description()).tags("state", "running")
                .register(registry);
        Gauge.builder(TRANSFERS, waiting).description(TRANSFERS_SPEC.description()).tags("state", "waiting")
                .register(registry);
    }

    /** A copy that ended with the video in the bucket: made now (stored) or found there (reused). */
    public void copied(String provider, String outcome, long bytes, Duration took, Duration videoAge) {
        copies(provider, outcome).increment();
        if ("stored".equals(outcome)) {
            bytes(provider).increment(bytes);
            timer(COPY_DURATION_SPEC, COPY_BUCKETS, provider).record(took);
        }
        timer(VIDEO_AGE_SPEC, AGE_BUCKETS, provider).record(videoAge);
    }

    /** @param outcome retryable or permanent */
    public void copyFailed(String provider, String outcome) {
        copies(provider, outcome).increment();
    }

    private Counter copies(String provider, String outcome) {
        return Counter.builder(COPIES).description(COPIES_SPEC.description())
                .tags(WorkerMetrics.PROVIDER, provider, "outcome", outcome).register(registry);
    }

    private Counter bytes(String provider) {
        return Counter.builder(BYTES).description(BYTES_SPEC.description()).baseUnit(BYTES_SPEC.unit())
                .tags(WorkerMetrics.PROVIDER, provider).register(registry);
    }

    private Timer timer(MeterSpec spec, Duration[] buckets, String provider) {
        return Timer.builder(spec.name()).description(spec.description()).tags(WorkerMetrics.PROVIDER, provider)
                .serviceLevelObjectives(buckets).register(registry);
    }

    /** Not WorkerMetrics' helper: calling into it here would tie the two classes' initialisation in a cycle. */
    private static Duration[] seconds(long... values) {
        return java.util.Arrays.stream(values).mapToObj(Duration::ofSeconds).toArray(Duration[]::new);
    }
}
