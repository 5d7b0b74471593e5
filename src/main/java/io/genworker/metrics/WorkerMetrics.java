package io.genworker.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * Every meter the worker exposes: name, kind, description, unit and tags in one place ({@link #CATALOGUE}). Tags
 * stay low-cardinality (provider, model from the catalogue, operation, HTTP status, error code); never a job id.
 */
@ApplicationScoped
public class WorkerMetrics {

    /** What a meter is, which decides its Prometheus series (counter: _total; timer: _seconds_count/_sum/...). */
    public enum Kind {
        COUNTER, GAUGE, TIMER, SUMMARY
    }

    /** One meter of the catalogue. {@code unit} is null for plain counts; tags name the keys, not the values. */
    public record MeterSpec(String name, Kind kind, String description, String unit, List<String> tags) {

        MeterSpec(String name, Kind kind, String description, String unit, String... tags) {
            this(name, kind, description, unit, List.of(tags));
        }
    }

    public static final String PREFIX = "genworker.";
    public static final String JOBS_RECEIVED = PREFIX + "jobs.received";
    public static final String REQUESTS_REJECTED = PREFIX + "requests.rejected";
    public static final String DUPLICATE_REQUESTS = PREFIX + "requests.duplicate";
    public static final String JOBS_SUBMITTED = PREFIX + "jobs.submitted";
    public static final String JOBS_COMPLETED = PREFIX + "jobs.completed";
    public static final String JOBS_FAILED = PREFIX + "jobs.failed";
    public static final String JOBS_CANCELLED = PREFIX + "jobs.cancelled";
    public static final String CANCEL_REQUESTS = PREFIX + "cancel.requests";
    public static final String JOBS_IN_FLIGHT = PREFIX + "jobs.in.flight";
    public static final String OLDEST_JOB_AGE = PREFIX + "jobs.oldest.age";
    public static final String JOBS_REMEMBERED = PREFIX + "jobs.remembered";
    public static final String JOBS_PARKED = PREFIX + "jobs.parked";
    public static final String JOB_DURATION = PREFIX + "job.duration";
    public static final String PROVIDER_DURATION = PREFIX + "job.provider.duration";
    public static final String POLLS_PER_JOB = PREFIX + "job.polls";
    public static final String PROVIDER_CALLS = PREFIX + "provider.calls";
    public static final String PROVIDER_CALL_DURATION = PREFIX + "provider.call.duration";
    public static final String PROVIDER_RETRY_AFTER = PREFIX + "provider.retry.after";
    public static final String CREDITS_USED = PREFIX + "provider.credits.used";
    public static final String PROVIDER_PAUSED = PREFIX + "provider.paused";
    public static final String RATE_LIMIT_WAIT = PREFIX + "provider.ratelimit.wait";
    public static final String RATE_SHARE = PREFIX + "provider.rate.share";
    public static final String DETECTION_DELAY = PREFIX + "job.detection.delay";
    public static final String JOBLOG_FENCED = PREFIX + "joblog.fenced";
    public static final String PARTITIONS_HELD = PREFIX + "joblog.partitions.held";
    public static final String KAFKA_AUTHORIZATION_FAILURES = PREFIX + "kafka.authorization.failures";

    private static final String SECONDS = "seconds";
    static final String PROVIDER = "provider";
    static final String MODEL = "model";
    static final String OPERATION = "operation";

    static final MeterSpec RECEIVED_SPEC = new MeterSpec(JOBS_RECEIVED, Kind.COUNTER,
            "Valid requests written to the job log", null, PROVIDER, MODEL);
    static final MeterSpec REJECTED_SPEC = new MeterSpec(REQUESTS_REJECTED, Kind.COUNTER,
            "Requests refused before reaching a provider", null, "reason");
    static final MeterSpec DUPLICATE_SPEC = new MeterSpec(DUPLICATE_REQUESTS, Kind.COUNTER,
            "Requests for a job id already in the job log (no provider call)", null);
    static final MeterSpec SUBMITTED_SPEC = new MeterSpec(JOBS_SUBMITTED, Kind.COUNTER,
            "Jobs accepted by a provider", null, PROVIDER, MODEL);
    static final MeterSpec COMPLETED_SPEC = new MeterSpec(JOBS_COMPLETED, Kind.COUNTER,
            "Jobs that ended with a video", null, PROVIDER, MODEL);
    static final MeterSpec FAILED_SPEC = new MeterSpec(JOBS_FAILED, Kind.COUNTER,
            "Jobs that ended in failure, by error code", null, PROVIDER, MODEL, "code");
    static final MeterSpec CANCELLED_SPEC = new MeterSpec(JOBS_CANCELLED, Kind.COUNTER,
            "Jobs that ended cancelled, by what the provider may still bill (not_submitted, may_be_billed, billed)",
            null, PROVIDER, MODEL, "outcome");
    static final MeterSpec CANCEL_REQUESTS_SPEC = new MeterSpec(CANCEL_REQUESTS, Kind.COUNTER,
            "Cancel commands carried out by the jobs' owners, by result: applied (the job ended cancelled),"
                    + " finished_already (nothing changed), unknown_job (the id is cancelled before any request)",
            null, "result");
    static final MeterSpec IN_FLIGHT_SPEC = new MeterSpec(JOBS_IN_FLIGHT, Kind.GAUGE,
            "Jobs owned by this worker and not finished", null);
    static final MeterSpec OLDEST_AGE_SPEC = new MeterSpec(OLDEST_JOB_AGE, Kind.GAUGE,
            "Age of the oldest unfinished job owned by this worker", SECONDS);
    static final MeterSpec REMEMBERED_SPEC = new MeterSpec(JOBS_REMEMBERED, Kind.GAUGE,
            "Finished jobs of this worker's partitions remembered to deduplicate repeated job ids", null);
    static final MeterSpec PARKED_SPEC = new MeterSpec(JOBS_PARKED, Kind.GAUGE,
            "Unfinished jobs kept by log offset only: past the cap of jobs in flight, or waiting for a paused provider",
            null);
    static final MeterSpec DURATION_SPEC = new MeterSpec(JOB_DURATION, Kind.TIMER,
            "Time from a job's arrival to its result", SECONDS, PROVIDER, MODEL, "outcome");
    static final MeterSpec PROVIDER_DURATION_SPEC = new MeterSpec(PROVIDER_DURATION, Kind.TIMER,
            "Time from a job's acceptance by the provider to its result", SECONDS, PROVIDER, MODEL, "outcome");
    static final MeterSpec POLLS_SPEC = new MeterSpec(POLLS_PER_JOB, Kind.SUMMARY,
            "Status polls a job needed until its result", null, PROVIDER, MODEL);
    static final MeterSpec CALLS_SPEC = new MeterSpec(PROVIDER_CALLS, Kind.COUNTER,
            "HTTP calls to providers by operation and status (error: no answer)", null, PROVIDER, OPERATION,
            "status");
    static final MeterSpec CALL_DURATION_SPEC = new MeterSpec(PROVIDER_CALL_DURATION, Kind.TIMER,
            "Latency of HTTP calls to providers, answered or not", SECONDS, PROVIDER, OPERATION);
    static final MeterSpec RETRY_AFTER_SPEC = new MeterSpec(PROVIDER_RETRY_AFTER, Kind.COUNTER,
            "Waits that followed a provider's Retry-After", null, PROVIDER);
    static final MeterSpec CREDITS_SPEC = new MeterSpec(CREDITS_USED, Kind.COUNTER,
            "Credits the providers reported for finished jobs", null, PROVIDER, MODEL);
    static final MeterSpec PAUSED_SPEC = new MeterSpec(PROVIDER_PAUSED, Kind.GAUGE,
            "1 while a provider refuses the account (bad key, no credits) and its jobs wait", null, PROVIDER);
    static final MeterSpec RATE_LIMIT_WAIT_SPEC = new MeterSpec(RATE_LIMIT_WAIT, Kind.TIMER,
            "Time provider calls waited for the per-provider rate limit", SECONDS, PROVIDER, OPERATION);
    static final MeterSpec RATE_SHARE_SPEC = new MeterSpec(RATE_SHARE, Kind.GAUGE,
            "This worker's part of a provider's configured rate: its share of the job-log partitions (limit scope"
                    + " account), or 1 (scope worker)", null, PROVIDER);
    static final MeterSpec DETECTION_DELAY_SPEC = new MeterSpec(DETECTION_DELAY, Kind.TIMER,
            "Time between the last poll that saw a generation running and the one that saw it end", SECONDS,
            PROVIDER, MODEL);
    static final MeterSpec FENCED_SPEC = new MeterSpec(JOBLOG_FENCED, Kind.COUNTER,
            "Job-log partitions whose transactions a new owner fenced while this worker still wrote them", null);

    static final MeterSpec HELD_SPEC = new MeterSpec(PARTITIONS_HELD, Kind.GAUGE,
            "Job-log partitions this worker keeps but does not act on: a record of a schema version (version) or"
                    + " kind (kind) it does not know", null, "reason");

    static final MeterSpec AUTHORIZATION_FAILURES_SPEC = new MeterSpec(KAFKA_AUTHORIZATION_FAILURES, Kind.COUNTER,
            "Kafka calls the broker refused for a missing permission (ACL), by client of the worker", null,
            "client");

    /** Every meter above; the README table and the scrape test follow this list. */
    public static final List<MeterSpec> CATALOGUE = Stream.concat(Stream.of(RECEIVED_SPEC,
            REJECTED_SPEC, DUPLICATE_SPEC, SUBMITTED_SPEC, COMPLETED_SPEC, FAILED_SPEC, CANCELLED_SPEC, CANCEL_REQUESTS_SPEC, IN_FLIGHT_SPEC,
            OLDEST_AGE_SPEC, REMEMBERED_SPEC, PARKED_SPEC, DURATION_SPEC, PROVIDER_DURATION_SPEC, POLLS_SPEC,
            CALLS_SPEC, CALL_DURATION_SPEC, RETRY_AFTER_SPEC, CREDITS_SPEC, PAUSED_SPEC, RATE_LIMIT_WAIT_SPEC,
            RATE_SHARE_SPEC, DETECTION_DELAY_SPEC, FENCED_SPEC, HELD_SPEC, AUTHORIZATION_FAILURES_SPEC),
            ArchiveMetrics.SPECS.stream()).toList();

    /** Generations take 30 s to several minutes; jobs may wait up to the default 20 min deadline and beyond. */
    private static final Duration[] JOB_BUCKETS = seconds(10, 30, 60, 90, 120, 180, 300, 600, 900, 1200, 1800);
    private static final Duration[] CALL_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;

    /**
     * The meters already registered, by name and tag values. Micrometer's builder and register() cost more than the
     * measurement itself (tags sorted, the id looked up, Quarkus' meter filters run): in the end-to-end benchmark
     * registering on every call was about 6 % of the worker's CPU, so each meter is built once and then found here.
     */
    private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

    private record MeterKey(String name, List<String> tags) {
    }

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void received(String provider, String model) {
        counter(RECEIVED_SPEC, PROVIDER, provider, MODEL, model).increment();
    }

    /** @param reason undecodable, invalid_request or unsupported_model */
    public void rejected(String reason) {
        counter(REJECTED_SPEC, "reason", reason).increment();
    }

    /** @param result applied, finished_already or unknown_job */
    public void cancelRequest(String result) {
        counter(CANCEL_REQUESTS_SPEC, "result", result).increment();
    }

    public void duplicate() {
        counter(DUPLICATE_SPEC).increment();
    }

    public void fenced() {
        counter(FENCED_SPEC).increment();
    }

    public void submitted(JobRecord job) {
        counter(SUBMITTED_SPEC, PROVIDER, job.provider(), MODEL, job.model()).increment();
    }

    public void finished(JobRecord job) {
        String outcome = job.state().name().toLowerCase();
        if (job.state() == JobState.CANCELLED) {
            counter(CANCELLED_SPEC, PROVIDER, job.provider(), MODEL, job.model(), "outcome",
                    job.cancellation() == null || job.cancellation().outcome() == null ? "unknown"
                            : job.cancellation().outcome().name().toLowerCase()).increment();
        } else if (job.error() == null) {
            counter(COMPLETED_SPEC, PROVIDER, job.provider(), MODEL, job.model()).increment();
        } else {
            failedCounter(job.provider(), job.model(), job.error().code().name()).increment();
        }
        if (job.receivedAt() != null && job.finishedAt() != null) {
            jobTimer(DURATION_SPEC, job.provider(), job.model(), outcome)
                    .record(Duration.between(job.receivedAt(), job.finishedAt()));
        }
        if (job.submittedAt() != null && job.finishedAt() != null) {
            jobTimer(PROVIDER_DURATION_SPEC, job.provider(), job.model(), outcome)
                    .record(Duration.between(job.submittedAt(), job.finishedAt()));
        }
        if (job.providerJobId() != null) {
            polls(job.provider(), job.model()).record(job.polls());
        }
        if (job.credits() != null) {
            counter(CREDITS_SPEC, PROVIDER, job.provider(), MODEL, job.model()).increment(job.credits());
        }
    }

    /** @param status the HTTP status, or "error" when no answer came */
    public void providerCall(String provider, String operation, String status) {
        counter(CALLS_SPEC, PROVIDER, provider, OPERATION, operation, "status", status).increment();
    }

    /** How long one HTTP call to a provider took, from sending to the answer or the failure. */
    public void providerCallDuration(String provider, String operation, Duration took) {
        timer(CALL_DURATION_SPEC, CALL_BUCKETS, PROVIDER, provider, OPERATION, operation).record(took);
    }

    public void retryAfterHonoured(String provider) {
        counter(RETRY_AFTER_SPEC, PROVIDER, provider).increment();
    }

    /** Time a call waited for the provider's rate limiter before it could go out (zero when it went at once). */
    public void rateLimiterWait(String provider, String operation, Duration waited) {
        rateLimiterTimer(provider, operation).record(waited);
    }

    /**
     * Upper bound of how late the worker saw a finished generation: the time between the last poll that still saw
     * it running and the poll that saw it finished. The provider does not say when it finished, so the true delay
     * lies between zero and this.
     */
    public void detectionDelay(String provider, String model, Duration bound) {
        detectionTimer(provider, model).record(bound);
    }

    /** A Kafka call of this client was refused for a missing permission. */
    public void authorizationFailure(String client) {
        counter(AUTHORIZATION_FAILURES_SPEC, "client", client).increment();
    }

    /** Registers at zero the authorization failures of a client. */
    public void registerAuthorizationFailures(String client) {
        counter(AUTHORIZATION_FAILURES_SPEC, "client", client);
    }

    /** 1 while the provider's account is refused and its jobs wait; registering it again is harmless. */
    public void providerPaused(String provider, Predicate<String> isPaused) {
        Gauge.builder(PAUSED_SPEC.name(), () -> isPaused.test(provider) ? 1 : 0)
                .description(PAUSED_SPEC.description())
                .tags(PROVIDER, provider).register(registry);
    }

    /** The part of the provider's configured rate this worker applies (0..1); registering it again is harmless. */
    public void providerRateShare(String provider, Supplier<Number> share) {
        Gauge.builder(RATE_SHARE_SPEC.name(), share).description(RATE_SHARE_SPEC.description())
                .tags(PROVIDER, provider).register(registry);
    }

    public void inFlightGauges(Supplier<Number> inFlight, Supplier<Number> oldestAgeSeconds) {
        Gauge.builder(IN_FLIGHT_SPEC.name(), inFlight).description(IN_FLIGHT_SPEC.description())
                .register(registry);
        Gauge.builder(OLDEST_AGE_SPEC.name(), oldestAgeSeconds).baseUnit(OLDEST_AGE_SPEC.unit())
                .description(OLDEST_AGE_SPEC.description()).register(registry);
    }

    /** How many finished jobs the tracker remembers for deduplication (within the dedup window). */
    public void rememberedGauge(Supplier<Number> remembered) {
        Gauge.builder(REMEMBERED_SPEC.name(), remembered).description(REMEMBERED_SPEC.description())
                .register(registry);
    }

    /** How many unfinished jobs the tracker keeps by offset only (their inputs stay in the log). */
    public void parkedGauge(Supplier<Number> parked) {
        Gauge.builder(PARKED_SPEC.name(), parked).description(PARKED_SPEC.description()).register(registry);
    }

    /** How many job-log partitions are held for one reason; registered at start-up, so it shows 0 until then. */
    public void heldPartitionsGauge(String reason, Supplier<Number> held) {
        Gauge.builder(HELD_SPEC.name(), held).description(HELD_SPEC.description()).tags("reason", reason)
                .register(registry);
    }

    /**
     * Exposes a plain Kafka consumer's own metrics (lag, fetch rates, rebalances) as {@code kafka.consumer.*}, like
     * the connector's clients. Close the returned binder when the consumer closes.
     */
    public AutoCloseable kafkaClient(Consumer<?, ?> consumer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(consumer);
        binder.bindTo(registry);
        return binder;
    }

    /**
     * Registers at zero the series whose tag values are known up front, so that rates and alerts see zeros from
     * the start instead of gaps.
     */
    public void registerKnown(String provider, String model, List<String> operations, List<String> errorCodes) {
        counter(RECEIVED_SPEC, PROVIDER, provider, MODEL, model);
        counter(SUBMITTED_SPEC, PROVIDER, provider, MODEL, model);
        counter(COMPLETED_SPEC, PROVIDER, provider, MODEL, model);
        counter(CREDITS_SPEC, PROVIDER, provider, MODEL, model);
        errorCodes.forEach(code -> failedCounter(provider, model, code));
        for (String outcome : List.of("not_submitted", "may_be_billed", "billed")) {
            counter(CANCELLED_SPEC, PROVIDER, provider, MODEL, model, "outcome", outcome);
        }
        for (String outcome : List.of("completed", "failed", "cancelled")) {
            jobTimer(DURATION_SPEC, provider, model, outcome);
            jobTimer(PROVIDER_DURATION_SPEC, provider, model, outcome);
        }
        polls(provider, model);
        detectionTimer(provider, model);
        counter(RETRY_AFTER_SPEC, PROVIDER, provider);
        operations.forEach(operation -> rateLimiterTimer(provider, operation));
    }

    /** Registers at zero the rejection reasons, the duplicate counter and the fencing counter. */
    public void registerKnownRejections(List<String> reasons) {
        reasons.forEach(reason -> counter(REJECTED_SPEC, "reason", reason));
        counter(DUPLICATE_SPEC);
        counter(FENCED_SPEC);
        for (String result : List.of("applied", "finished_already", "unknown_job")) {
            counter(CANCEL_REQUESTS_SPEC, "result", result);
        }
    }

    private Counter failedCounter(String provider, String model, String code) {
        return counter(FAILED_SPEC, PROVIDER, provider, MODEL, model, "code", code);
    }

    private Timer jobTimer(MeterSpec spec, String provider, String model, String outcome) {
        return timer(spec, JOB_BUCKETS, PROVIDER, provider, MODEL, model, "outcome", outcome);
    }

    private DistributionSummary polls(String provider, String model) {
        return cached(POLLS_SPEC, new String[] {PROVIDER, provider, MODEL, model},
                tags -> DistributionSummary.builder(POLLS_SPEC.name())
                        .description(POLLS_SPEC.description())
                        .tags(tags)
                        .serviceLevelObjectives(1, 2, 3, 4, 6, 8, 12, 20, 50, 100)
                        .register(registry));
    }

    private Timer rateLimiterTimer(String provider, String operation) {
        // Micrometer refuses a zero bucket: the first one, 10 ms, stands for "went out at once".
        return timer(RATE_LIMIT_WAIT_SPEC, new Duration[] {Duration.ofMillis(10), Duration.ofMillis(100),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)},
                PROVIDER, provider, OPERATION, operation);
    }

    private Timer detectionTimer(String provider, String model) {
        return timer(DETECTION_DELAY_SPEC, seconds(1, 2, 5, 10, 30, 60), PROVIDER, provider, MODEL, model);
    }

    private Counter counter(MeterSpec spec, String... tags) {
        return cached(spec, tags, t -> {
            Counter.Builder builder = Counter.builder(spec.name()).description(spec.description()).tags(t);
            return (spec.unit() == null ? builder : builder.baseUnit(spec.unit())).register(registry);
        });
    }

    private Timer timer(MeterSpec spec, Duration[] buckets, String... tags) {
        return cached(spec, tags, t -> Timer.builder(spec.name())
                .description(spec.description())
                .tags(t)
                .serviceLevelObjectives(buckets)
                .register(registry));
    }

    /** The meter of this name and these tags, registered the first time it is asked for. */
    @SuppressWarnings("unchecked")
    private <M extends Meter> M cached(MeterSpec spec, String[] tags, Function<String[], M> register) {
        // A null tag value must fail as Micrometer would, not be cached under a key.
        MeterKey key = new MeterKey(spec.name(), Arrays.asList(tags));
        Meter meter = meters.get(key);
        if (meter == null) {
            meter = meters.computeIfAbsent(key, k -> register.apply(tags));
        }
        return (M) meter;
    }

    private static Duration[] seconds(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofSeconds(values[i]);
        }
        return durations;
    }
}
