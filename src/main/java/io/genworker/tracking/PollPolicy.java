package io.genworker.tracking;

import java.time.Duration;
import java.util.random.RandomGenerator;

import io.genworker.config.WorkerConfig;

/**
 * Chooses how long to wait before the next provider call. Pure: no clock and no I/O, the caller passes what it
 * knows. The adaptive policy (learned generation times) replaces {@link #nextPoll}; backoff and Retry-After stay.
 */
public class PollPolicy {

    private final Duration firstPoll;
    private final Duration interval;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final RandomGenerator random;

    public PollPolicy(Duration firstPoll, Duration interval, Duration backoffInitial, Duration backoffMax,
            RandomGenerator random) {
        this.firstPoll = firstPoll;
        this.interval = interval;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.random = random;
    }

    public static PollPolicy from(WorkerConfig.Polling config, RandomGenerator random) {
        return new PollPolicy(config.firstPoll(), config.interval(), config.backoffInitial(), config.backoffMax(),
                random);
    }

    /** Delay between a provider's acceptance and the first poll. */
    public Duration firstPoll() {
        return firstPoll;
    }

    /** Delay before the next poll of a generation that is still queued or running. */
    public Duration nextPoll(int pollsSoFar) {
        return interval;
    }

    /**
     * Delay after the n-th consecutive transient error: exponential from the initial backoff, capped, with "equal
     * jitter" (half fixed, half random) so a burst of failures does not come back in lockstep; never shorter than
     * the provider's Retry-After. Mutiny's retry().withBackOff cannot take the delay from the failure, which
     * Retry-After needs, so the tracker schedules this delay on the job's own timer.
     */
    public Duration afterError(int consecutiveErrors, Duration retryAfter) {
        int exponent = Math.max(0, Math.min(consecutiveErrors - 1, 30));
        long capped = Math.min(backoffMax.toMillis(), backoffInitial.toMillis() * (1L << Math.min(exponent, 20)));
        long jittered = capped / 2 + (capped / 2 == 0 ? 0 : random.nextLong(capped / 2 + 1));
        Duration backoff = Duration.ofMillis(Math.max(1, jittered));
        return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
    }
}
