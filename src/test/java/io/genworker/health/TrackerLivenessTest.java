package io.genworker.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.support.StubWorkerConfig;
import io.genworker.joblog.JobLogConsumer;

/** Liveness reads the job-log loop: DOWN when it has died, or has not come back from a poll for stuck-after. */
class TrackerLivenessTest {

    private static final WorkerConfig CONFIG = new StubWorkerConfig();
    private static final Duration STUCK_AFTER = CONFIG.tracker().stuckAfter();

    @Test
    void upWhileTheLoopRunsAndComesBackFromItsPolls() {
        HealthCheckResponse response = liveness(true, Duration.ofMillis(200));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getName()).isEqualTo("job-log-consumer");
    }

    @Test
    void downWhenTheLoopHasDied() {
        HealthCheckResponse response = liveness(false, Duration.ofMillis(200));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data).containsEntry("consumer",
                "stopped"));
    }

    @Test
    void downWhenTheLoopHasNotComeBackFromAPollForStuckAfter() {
        HealthCheckResponse response = liveness(true, STUCK_AFTER.plusSeconds(1));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("sinceLastPollMs", STUCK_AFTER.plusSeconds(1).toMillis()));
    }

    @Test
    void aLoopJustUnderStuckAfterIsStillAlive() {
        assertThat(liveness(true, STUCK_AFTER.minusSeconds(1)).getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void downWhenATrackerShardHasNotTurnedForStuckAfter() {
        HealthCheckResponse response = liveness(true, Duration.ofMillis(200), STUCK_AFTER.plusSeconds(1));

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("trackerSilentMs", STUCK_AFTER.plusSeconds(1).toMillis()));
    }

    @Test
    void aShardBusyForLessThanStuckAfterIsStillAlive() {
        assertThat(liveness(true, Duration.ofMillis(200), STUCK_AFTER.minusSeconds(1)).getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    private static HealthCheckResponse liveness(boolean running, Duration sinceLastPoll) {
        return liveness(running, sinceLastPoll, Duration.ofMillis(100));
    }

    private static HealthCheckResponse liveness(boolean running, Duration sinceLastPoll, Duration shardSilence) {
        return new TrackerLiveness(new StubConsumer(running, sinceLastPoll), () -> shardSilence, CONFIG).call();
    }

    /** The two things liveness asks of the job-log consumer, answered as a dead or stuck loop would. */
    private static final class StubConsumer extends JobLogConsumer {

        private final boolean running;
        private final Duration sinceLastPoll;

        StubConsumer(boolean running, Duration sinceLastPoll) {
            super(null, null, null, null, null, null, null);
            this.running = running;
            this.sinceLastPoll = sinceLastPoll;
        }

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public Duration sinceLastPoll() {
            return sinceLastPoll;
        }
    }
}
