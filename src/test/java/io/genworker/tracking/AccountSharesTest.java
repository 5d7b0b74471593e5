package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/** The share follows the partitions owned, as the gauge shows it (the gates' own adjustment: ProviderGateTest). */
class AccountSharesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final OwnedPartitions owned = new OwnedPartitions(Duration.ofDays(7), ReplayRoom.unlimited(), p -> false);
    private final ProviderAccess access = new ProviderAccess(id -> new Aimlapi(), new ProviderPauses(
            Duration.ofSeconds(60), metrics), metrics, time, time::nanos, new Executor[] { Runnable::run }, time);

    @Test
    void theRateShareFollowsTheRoutedPartitionsOwned() {
        AccountShares shares = new AccountShares(owned, 6, access, metrics, List.of("aimlapi"));
        // Nothing owned yet: the floor of 1 call a second, of the stub's 50.
        assertThat(share()).isCloseTo(1.0 / 50, within(1e-9));

        owned.assigned(jobs(0));
        owned.assigned(jobs(3));
        owned.assigned(jobs(7));
        shares.ownedChanged();

        // Partition 7 is beyond the 6 new jobs are routed to: it counts for nothing.
        assertThat(share()).isCloseTo(2.0 / 6, within(1e-9));

        owned.remove(jobs(0));
        shares.ownedChanged();

        assertThat(share()).isCloseTo(1.0 / 6, within(1e-9));
    }

    private double share() {
        return registry.get(WorkerMetrics.RATE_SHARE).tag("provider", "aimlapi").gauge().value();
    }

    private static TopicPartition jobs(int partition) {
        return new TopicPartition("generation.jobs", partition);
    }

    private static final class Aimlapi implements VideoProvider {

        @Override
        public String id() {
            return "aimlapi";
        }

        @Override
        public WorkerConfig.Provider settings() {
            return new StubWorkerConfig().providers().aimlapi();
        }

        @Override
        public boolean configured() {
            return true;
        }

        @Override
        public Uni<Submission> submit(JobRecord job) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<GenerationStatus> poll(String providerJobId) {
            throw new UnsupportedOperationException();
        }
    }
}
