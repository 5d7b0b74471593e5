package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PollPolicyTest {

    private static final Duration FIRST_POLL = Duration.ofSeconds(5);
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
    private static final int SAMPLES = 500;

    private final PollPolicy policy = new PollPolicy(FIRST_POLL, INTERVAL, BACKOFF_INITIAL, BACKOFF_MAX,
            new Random(20250301L));

    @Test
    void firstPollIsTheConfiguredDelay() {
        assertThat(policy.firstPoll()).isEqualTo(FIRST_POLL);
    }

    @Test
    void nextPollIsTheConfiguredIntervalWhateverThePollCount() {
        assertThat(policy.nextPoll(0)).isEqualTo(INTERVAL);
        assertThat(policy.nextPoll(1)).isEqualTo(INTERVAL);
        assertThat(policy.nextPoll(1000)).isEqualTo(INTERVAL);
    }

    @Test
    void backoffStaysBetweenHalfAndAllOfTheCappedExponentialDelay() {
        for (int errors = 1; errors <= 12; errors++) {
            long capped = Math.min(BACKOFF_MAX.toMillis(), BACKOFF_INITIAL.toMillis() << (errors - 1));
            for (int i = 0; i < SAMPLES; i++) {
                assertThat(policy.afterError(errors, null).toMillis())
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
                long delay = policy.afterError(errors, null).toMillis();
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
                assertThat(policy.afterError(errors, null))
                        .as("delay after %d consecutive errors", errors)
                        .isLessThanOrEqualTo(BACKOFF_MAX)
                        .isGreaterThanOrEqualTo(BACKOFF_MAX.dividedBy(2));
            }
        }
    }

    @Test
    void backoffIsNeverZeroEvenWithoutErrorsOrWithATinyInitialDelay() {
        PollPolicy tiny = new PollPolicy(FIRST_POLL, INTERVAL, Duration.ofMillis(1), BACKOFF_MAX, new Random(7));

        assertThat(policy.afterError(0, null)).isPositive().isLessThanOrEqualTo(BACKOFF_INITIAL);
        assertThat(policy.afterError(-3, null)).isPositive().isLessThanOrEqualTo(BACKOFF_INITIAL);
        assertThat(tiny.afterError(1, null)).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void backoffIsJitteredSoFailuresDoNotReturnInLockstep() {
        Set<Duration> delays = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            delays.add(policy.afterError(5, null));
        }

        assertThat(delays).hasSizeGreaterThan(10);
    }

    @Test
    void sameSeedGivesTheSameDelays() {
        PollPolicy first = new PollPolicy(FIRST_POLL, INTERVAL, BACKOFF_INITIAL, BACKOFF_MAX, new Random(99));
        PollPolicy second = new PollPolicy(FIRST_POLL, INTERVAL, BACKOFF_INITIAL, BACKOFF_MAX, new Random(99));

        for (int errors = 1; errors <= 10; errors++) {
            assertThat(first.afterError(errors, null)).isEqualTo(second.afterError(errors, null));
        }
    }

    @Test
    void retryAfterLongerThanTheBackoffWins() {
        assertThat(policy.afterError(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryAfterLongerThanTheMaximumBackoffStillWins() {
        assertThat(policy.afterError(20, Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void retryAfterShorterThanTheBackoffDoesNotShortenIt() {
        // After 6 errors the capped delay is 32 s, so the backoff is at least 16 s.
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(policy.afterError(6, Duration.ofSeconds(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(16));
        }
    }

    @Test
    void zeroRetryAfterLeavesTheBackoffInPlace() {
        for (int i = 0; i < SAMPLES; i++) {
            assertThat(policy.afterError(3, Duration.ZERO)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        }
    }
}
