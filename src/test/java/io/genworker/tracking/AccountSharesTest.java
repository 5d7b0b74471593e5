package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The share follows the partitions owned, as the gauge shows it (the gates' own adjustment: ProviderGateTest). */
class AccountSharesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    /** The gates on the test's own thread: what they are told applies at once. */
    private final ProviderGates gates = new ProviderGates(Runnable::run, metrics, time, time::nanos);

    @Test
    void theRateShareFollowsTheRoutedPartitionsOwned() {
        AccountShares shares = new AccountShares(6, gates, metrics, List.of("aimlapi"),
                id -> new StubWorkerConfig().providers().aimlapi());
        // Nothing owned yet: the floor of 1 call a second, of the stub's 50.
        assertThat(share()).isCloseTo(1.0 / 50, within(1e-9));

        shares.assigned(List.of(jobs(0), jobs(3), jobs(7)));

        // Partition 7 is beyond the 6 new jobs are routed to: it counts for nothing.
        assertThat(share()).isCloseTo(2.0 / 6, within(1e-9));

        shares.gone(List.of(jobs(0)));

        assertThat(share()).isCloseTo(1.0 / 6, within(1e-9));
    }

    private double share() {
        return registry.get(WorkerMetrics.RATE_SHARE).tag("provider", "aimlapi").gauge().value();
    }

    private static TopicPartition jobs(int partition) {
        return new TopicPartition("generation.jobs", partition);
    }
}
