package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class OwnershipLeaseTest {

    private static final long SECOND = 1_000_000_000L;

    private long now = 100 * SECOND;
    private final OwnershipLease lease = new OwnershipLease(Duration.ofSeconds(5), () -> now);

    @Test
    void isFreshRightAfterThePollThatRenewedIt() {
        now += 60 * SECOND;
        lease.renewed();

        assertThat(lease.fresh()).isTrue();
    }

    @Test
    void goesStaleWhenTheConsumerHasNotPolledForHalfASessionTimeout() {
        lease.renewed();
        now += 5 * SECOND;

        assertThat(lease.fresh()).isFalse();

        lease.renewed();
        assertThat(lease.fresh()).isTrue();
    }

    @Test
    void goesStaleWhenTheCoordinatorHasNotHeardAHeartbeatForHalfASessionTimeout() {
        double[] heartbeat = { 2 };
        lease.heartbeats(() -> heartbeat[0]);
        lease.renewed();
        assertThat(lease.fresh()).isTrue();

        heartbeat[0] = 6;

        assertThat(lease.fresh()).isFalse();
    }

    @Test
    void aHeartbeatGaugeWithNoValueYetDoesNotHoldWritesBack() {
        lease.renewed();

        lease.heartbeats(() -> -1);
        assertThat(lease.fresh()).isTrue();
        lease.heartbeats(() -> Double.NaN);
        assertThat(lease.fresh()).isTrue();
    }

    @Test
    void staysFreshDuringAHandOverThatHoldsThePollButNotWhenHeartbeatsGoUnanswered() {
        double[] heartbeat = { 1 };
        lease.heartbeats(() -> heartbeat[0]);
        lease.renewed();
        lease.handingOver(true);
        now += 20 * SECOND;

        assertThat(lease.fresh()).as("the group waits for the hand-over").isTrue();

        heartbeat[0] = 6;
        assertThat(lease.fresh()).as("the coordinator may have moved the partitions").isFalse();

        heartbeat[0] = 1;
        lease.handingOver(false);
        assertThat(lease.fresh()).as("the poll is 20 s old").isFalse();
    }

    @Test
    void tellsHowLongAgoTheConsumerLastPolled() {
        lease.renewed();
        now += 7 * SECOND;

        assertThat(lease.sinceRenewed()).isEqualTo(Duration.ofSeconds(7));
    }
}
