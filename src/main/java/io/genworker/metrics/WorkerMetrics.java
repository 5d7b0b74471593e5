package io.genworker.metrics;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.genworker.job.JobRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every meter the worker exposes: name, description, unit and tags in one place. Tags stay low-cardinality
 * (provider, model from the catalogue, status, error code); never a job id.
 */
@ApplicationScoped
public class WorkerMetrics {

    public static final String PREFIX = "genworker.";
    public static final String JOBS_RECEIVED = PREFIX + "jobs.received";
    public static final String REQUESTS_REJECTED = PREFIX + "requests.rejected";
    public static final String DUPLICATE_REQUESTS = PREFIX + "requests.duplicate";
    public static final String JOBS_SUBMITTED = PREFIX + "jobs.submitted";
    public static final String JOBS_COMPLETED = PREFIX + "jobs.completed";
    public static final String JOBS_FAILED = PREFIX + "jobs.failed";
    public static final String JOBS_IN_FLIGHT = PREFIX + "jobs.in.flight";
    public static final String OLDEST_JOB_AGE = PREFIX + "jobs.oldest.age";
    public static final String JOB_DURATION = PREFIX + "job.duration";
    public static final String POLLS_PER_JOB = PREFIX + "job.polls";
    public static final String PROVIDER_CALLS = PREFIX + "provider.calls";
    public static final String PROVIDER_RETRY_AFTER = PREFIX + "provider.retry.after";
    public static final String CREDITS_USED = PREFIX + "provider.credits.used";
    public static final String PROVIDER_PAUSED = PREFIX + "provider.paused";
    public static final String RATE_LIMIT_WAIT = PREFIX + "provider.ratelimit.wait";
    public static final String DETECTION_DELAY = PREFIX + "job.detection.delay";

    private final MeterRegistry registry;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void received(String provider, String model) {
        counter(JOBS_RECEIVED, "Valid requests written to the job log", "provider", provider, "model", model)
                .increment();
    }

    /** @param reason undecodable, invalid or unsupported */
    public void rejected(String reason) {
        counter(REQUESTS_REJECTED, "Requests refused before reaching a provider", "reason", reason).increment();
    }

    public void duplicate() {
        counter(DUPLICATE_REQUESTS, "Requests for a job id already in the job log (no provider call)").increment();
    }

    public void submitted(JobRecord job) {
        counter(JOBS_SUBMITTED, "Jobs accepted by a provider", "provider", job.provider(), "model", job.model())
                .increment();
    }

    public void finished(JobRecord job) {
        String outcome = job.state().name().toLowerCase();
        if (job.error() == null) {
            counter(JOBS_COMPLETED, "Jobs that ended with a video", "provider", job.provider(), "model",
                    job.model()).increment();
        } else {
            counter(JOBS_FAILED, "Jobs that ended in failure, by error code", "provider", job.provider(), "model",
                    job.model(), "code", job.error().code().name()).increment();
        }
        if (job.receivedAt() != null && job.finishedAt() != null) {
            Timer.builder(JOB_DURATION)
                    .description("Time from a job's arrival to its result")
                    .tags("provider", job.provider(), "model", job.model(), "outcome", outcome)
                    .serviceLevelObjectives(slo(10), slo(30), slo(60), slo(90), slo(120), slo(300), slo(600),
                            slo(1200), slo(1800))
                    .minimumExpectedValue(Duration.ofSeconds(1))
                    .maximumExpectedValue(Duration.ofMinutes(30))
                    .register(registry)
                    .record(Duration.between(job.receivedAt(), job.finishedAt()));
        }
        if (job.providerJobId() != null) {
            DistributionSummary.builder(POLLS_PER_JOB)
                    .description("Status polls a job needed until its result")
                    .tags("provider", job.provider(), "model", job.model())
                    .serviceLevelObjectives(1, 2, 3, 4, 6, 8, 12, 20, 50)
                    .register(registry)
                    .record(job.polls());
        }
        if (job.credits() != null) {
            counter(CREDITS_USED, "Credits the providers reported for finished jobs", "provider", job.provider(),
                    "model", job.model()).increment(job.credits());
        }
    }

    /** @param status the HTTP status, or "error" when no answer came */
    public void providerCall(String provider, String operation, String status) {
        counter(PROVIDER_CALLS, "HTTP calls to providers by operation and status", "provider", provider,
                "operation", operation, "status", status).increment();
    }

    public void retryAfterHonoured(String provider) {
        counter(PROVIDER_RETRY_AFTER, "Waits that followed a provider's Retry-After", "provider", provider)
                .increment();
    }

    /** Time a call waited for the provider's rate limiter before it could go out (zero when it went at once). */
    public void rateLimiterWait(String provider, String operation, Duration waited) {
        Timer.builder(RATE_LIMIT_WAIT)
                .description("Time provider calls waited for the per-provider rate limit")
                .tags("provider", provider, "operation", operation)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30))
                .register(registry)
                .record(waited);
    }

    /**
     * Upper bound of how late the worker saw a finished generation: the time between the last poll that still saw
     * it running and the poll that saw it finished. The provider does not say when it finished, so the true delay
     * lies between zero and this.
     */
    public void detectionDelay(String provider, String model, Duration bound) {
        Timer.builder(DETECTION_DELAY)
                .description("Time between the last poll that saw a generation running and the one that saw it end")
                .tags("provider", provider, "model", model)
                .serviceLevelObjectives(slo(1), slo(2), slo(5), slo(10), slo(30), slo(60))
                .register(registry)
                .record(bound);
    }

    /** 1 while the provider's account is refused and its jobs wait; registered on the first pause. */
    public void providerPaused(String provider, java.util.function.Predicate<String> isPaused) {
        Gauge.builder(PROVIDER_PAUSED, () -> isPaused.test(provider) ? 1 : 0)
                .description("1 while a provider refuses the account (bad key, no credits) and its jobs wait")
                .tags("provider", provider).register(registry);
    }

    public void inFlightGauges(Supplier<Number> inFlight, Supplier<Number> oldestAgeSeconds) {
        Gauge.builder(JOBS_IN_FLIGHT, () -> inFlight.get())
                .description("Jobs owned by this worker and not finished").register(registry);
        Gauge.builder(OLDEST_JOB_AGE, () -> oldestAgeSeconds.get()).baseUnit("seconds")
                .description("Age of the oldest unfinished job owned by this worker").register(registry);
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static Duration slo(long seconds) {
        return Duration.ofSeconds(seconds);
    }

}
