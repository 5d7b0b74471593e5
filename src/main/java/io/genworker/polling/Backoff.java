package io.genworker.polling;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delay after the n-th consecutive transient error: exponential from the initial backoff, capped, with "equal
 * jitter" (half fixed, half random) so a burst of failures does not come back in lockstep; never shorter than the
 * provider's Retry-After. Mutiny's retry().withBackOff cannot take the delay from the failure, which Retry-After
 * needs, so the tracker schedules this delay on the job's own timer.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    public Duration after(int consecutiveErrors, Duration retryAfter) {
        int exponent = Math.max(0, Math.min(consecutiveErrors - 1, 20));
        long capped = Math.min(max.toMillis(), initial.toMillis() * (1L << exponent));
        long jittered = capped / 2 + (capped / 2 == 0 ? 0 : random.nextLong(capped / 2 + 1));
        Duration backoff = Duration.ofMillis(Math.max(1, jittered));
        return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
    }
}
