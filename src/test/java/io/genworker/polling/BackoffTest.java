package io.genworker.polling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
    private static final int SAMPLES = 500;

    private final Backoff backoff = new Backoff(BACKOFF_INITIAL, BACKOFF_MAX, new Random(20250301L));

    @Test
    void backoffStaysBetweenHalfAndAllOfTheCappedExponentialDelay() {
        for (int errors = 1; errors <= 12; errors++) {
            long capped = Math.min(BACKOFF_MAX.toMillis(), BACKOFF_INITIAL.toMillis() << (errors - 1));
            for (int i = 0; i < SAMPLES; i++) {
                assertThat(backoff.after(errors, null).toMillis())
                        .as("delay after %d consecutive errors", errors)
                        .isBetween(capped / 2, capped);
            }
        }
    }

    @Test
    void backoffGrowsWithConsecutiveErrors() {
        long previousLongest = 0;
        for (int errors = 1; errors <= 6; errors++) {
            long shortest = Long.MAX_VALUE;
            long longest = 0;
            for (int i = 0; i < SAMPLES; i++) {
                long delay = backoff.after(errors, null).toMillis();
                shortest = Math.min(shortest, delay);
                longest = Math.max(longest, delay);
            }
            assertThat(shortest).as("shortest delay after %d errors", errors).isGreaterThanOrEqualTo(previousLongest);
            assertThat(longest).as("longest delay after %d errors", errors).isGreaterThan(previousLongest);
            previousLongest = longest;
        }
    }

    @Test
    void backoffNeverExceedsTheMaximum() {
        for (int errors : new int[] { 7, 8, 10, 20, 21, 30, 31, 62, 63, 64, 100, 1_000, Integer.MAX_VALUE }) {
            for (int i = 0; i < SAMPLES; i++) {
                assertThat(backoff.after(errors, null))
                        .as("delay after %d consecutive errors", errors)
                        .isLessThanOrEqualTo(BACKOFF_MAX)
                        .isGreaterThanOrEqualTo(BACKOFF_MAX.dividedBy(2));
            }
        }
    }

    @Test
    void backoffIsNeverZeroEvenWithoutErrorsOrWithATinyInitialDelay() {
        Backoff tiny = new Backoff(Duration.ofMillis(1), BACKOFF_MAX, new Random(7));

        assertThat(backoff.after(0, null)).isPositive().isLessThanOrEqualTo(BACKOFF_INITIAL);
        assertThat(backoff.after(-3, null)).isPositive().isLessThanOrEqualTo(BACKOFF_INITIAL);
        assertThat(tiny.after(1, null)).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void backoffIsJitteredSoFailuresDoNotReturnInLockstep() {
        Set<Duration> delays = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            delays.add(backoff.after(5, null));
        }

        assertThat(delays).hasSizeGreaterThan(10);
    }

    @Test
    void sameSeedGivesTheSameDelays() {
        Backoff first = new Backoff(BACKOFF_INITIAL, BACKOFF_MAX, new Random(99));
        Backoff second = new Backoff(BACKOFF_INITIAL, BACKOFF_MAX, new Random(99));

        for (int errors = 1; errors <= 10; errors++) {
            assertThat(first.after(errors, null)).isEqualTo(second.after(errors, null));
        }
    }

    @Test
    void retryAfterLongerThanTheBackoffWins() {
        assertThat(backoff.after(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryAfterLongerThanTheMaximumBackoffStillWins() {
        assertThat(backoff.after(20, Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void retryAfterShorterThanTheBackoffDoesNotShortenIt() {
        // After 6 errors the capped delay is 32 s, so the backoff is at least 16 s.
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(backoff.after(6, Duration.ofSeconds(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(16));
        }
    }

    @Test
    void zeroRetryAfterLeavesTheBackoffInPlace() {
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(backoff.after(3, Duration.ZERO)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        }
    }
}
