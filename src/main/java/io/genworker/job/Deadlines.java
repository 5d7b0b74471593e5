package io.genworker.job;

import java.time.Duration;
import java.time.Instant;

import io.genworker.config.WorkerConfig;

/**
 * The one home of a job's deadline: set at intake from the request's `timeoutSeconds` (bounded) or the default,
 * counted from arrival; every wait of the job (backoff, Retry-After, the next poll) stops at it, and the last
 * attempt happens at it.
 */
public final class Deadlines {

    private final Duration defaultTimeout;
    private final Duration maxTimeout;

    public Deadlines(Duration defaultTimeout, Duration maxTimeout) {
        this.defaultTimeout = defaultTimeout;
        this.maxTimeout = maxTimeout;
    }

    public static Deadlines from(WorkerConfig.Jobs config) {
        return new Deadlines(config.defaultTimeout(), config.maxTimeout());
    }

    /** Largest `timeoutSeconds` a request may ask for. */
    public long maxTimeoutSeconds() {
        return maxTimeout.toSeconds();
    }

    /** The deadline of a job received now, with the timeout its request asked for (null: the default). */
    public Instant deadline(Instant receivedAt, Integer timeoutSeconds) {
        return receivedAt.plus(timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds) : defaultTimeout);
    }

    /** Whether the job's deadline has come (a job without one never expires). */
    public static boolean passed(JobRecord job, Instant now) {
        return job.deadline() != null && !now.isBefore(job.deadline());
    }

    /** The delay, but no later than the job's deadline (zero once it passed): the last attempt happens at it. */
    public static Duration within(JobRecord job, Duration delay, Instant now) {
        if (job.deadline() == null) {
            return delay;
        }
        Duration left = Duration.between(now, job.deadline());
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return delay.compareTo(left) > 0 ? left : delay;
    }
}
