package io.genworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.genworker.support.RunOutcome;

/**
 * Kills packaged workers while jobs run and checks nothing is lost or done twice. The default size is small enough
 * for every build; `-Dchaos.jobs=500 -Dchaos.kills=6` is the long run (see README).
 */
class WorkerChaosIT {

    @Test
    void killedAndRestartedWorkersLoseNoJobAndSubmitNoneTwice() throws Exception {
        ChaosRun.Report report = new ChaosRun(Integer.getInteger("chaos.jobs", 120),
                Integer.getInteger("chaos.kills", 3),
                Duration.ofSeconds(Integer.getInteger("chaos.generation-seconds", 4)),
                Long.getLong("chaos.seed", 42)).run();

        System.out.println("CHAOS " + report.table());
        RunOutcome outcome = report.outcome();
        assertThat(outcome.lost()).as("lost jobs").isZero();
        assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
        assertThat(outcome.duplicateResults()).as("duplicate results").isZero();
        assertThat(outcome.completed() + outcome.failed()).isEqualTo(outcome.jobs());
    }
}
