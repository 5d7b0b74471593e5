package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.genworker.config.WorkerConfig.Provider.LimitScope;
import io.genworker.tracking.AccountShare.GateLimits;

class AccountShareTest {

    @ParameterizedTest(name = "{0} of {1} partitions, limits {2} calls / {3} per s: {4} calls, {5} per s")
    @CsvSource({
            // owned, routed, max calls, rate, share of calls, share of rate
            "6, 6, 32, 50, 32, 50.0",
            "2, 6, 30, 30, 10, 10.0",
            "1, 6, 32, 50, 5, 8.333333333333334",
            // Rounded down: 3 workers with 2 of 6 each use 30 of 32 calls, never 33.
            "2, 6, 32, 50, 10, 16.666666666666668",
            // The floor: a worker with a partition always has a call in flight and a call a second.
            "1, 100, 32, 30, 1, 1.0",
            // Owning nothing (before the first assignment, after losing all): the floor too.
            "0, 6, 32, 50, 1, 1.0",
    })
    void anAccountsLimitsAreSplitByTheShareOfPartitions(int owned, int routed, int calls, int rate,
            int expectedCalls, double expectedRate) {
        GateLimits limits = new AccountShare(owned, routed).limitsOf(LimitScope.ACCOUNT, calls, rate);

        assertThat(limits).isEqualTo(new GateLimits(expectedCalls, expectedRate));
    }

    @Test
    void scopeWorkerKeepsTheFullLimitsWhateverIsOwned() {
        assertThat(new AccountShare(1, 6).limitsOf(LimitScope.WORKER, 32, 50)).isEqualTo(new GateLimits(32, 50));
        assertThat(new AccountShare(0, 6).limitsOf(LimitScope.WORKER, 32, 50)).isEqualTo(new GateLimits(32, 50));
    }

    @Test
    void theFloorNeverExceedsTheConfiguredRate() {
        assertThat(new AccountShare(1, 100).limitsOf(LimitScope.ACCOUNT, 1, 1)).isEqualTo(new GateLimits(1, 1.0));
    }

    @Test
    void threeWorkersTogetherStayWithinTheAccount() {
        int[] owned = { 3, 2, 1 };
        int calls = 0;
        double rate = 0;
        for (int o : owned) {
            GateLimits limits = new AccountShare(o, 6).limitsOf(LimitScope.ACCOUNT, 32, 50);
            calls += limits.maxConcurrentCalls();
            rate += limits.requestsPerSecond();
        }
        assertThat(calls).isLessThanOrEqualTo(32);
        assertThat(rate).isLessThanOrEqualTo(50.0 + 1e-9);
    }

    @Test
    void partitionsBeyondTheRoutedOnesCountForNothing() {
        // The job log grown from 6 to 12 partitions, jobs still routed over 6: 0-5 carry all of them.
        List<TopicPartition> owned = List.of(jobs(1), jobs(4), jobs(7), jobs(10));

        assertThat(AccountShare.of(owned, 6)).isEqualTo(new AccountShare(2, 6));
    }

    private static TopicPartition jobs(int partition) {
        return new TopicPartition("generation.jobs", partition);
    }
}
