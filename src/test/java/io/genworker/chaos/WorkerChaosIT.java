package io.genworker.chaos;

import java.time.Duration;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.genworker.support.RunOutcome;

/**
 * Kills packaged workers while jobs run and checks nothing is lost or done twice, and that a job fails only when a
 * kill cut its submission off. The default size is small enough for every build; `-Dchaos.jobs=500
 * -Dchaos.kills=6` is the long run (see README).
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
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(outcome.lost()).as("lost jobs").isZero();
            softly.assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
            softly.assertThat(outcome.duplicateResults()).as("duplicate results").isZero();
            softly.assertThat(outcome.completed() + outcome.failed()).isEqualTo(outcome.jobs());
            softly.assertThat(outcome.failureCounts().keySet()).as("error codes of the failed jobs")
                    .isSubsetOf(RunOutcome.SUBMIT_UNCERTAIN);
            softly.assertThat(report.cutOffs().unexplained())
                    .as("SUBMIT_UNCERTAIN jobs whose submission no kill, stop or rebalance caught in flight")
                    .isEmpty();
            softly.assertThat(outcome.submitUncertain()).as("SUBMIT_UNCERTAIN jobs, at most those in flight")
                    .isLessThanOrEqualTo(report.cutOffs().inFlight().size());
            softly.assertThat(report.moved()).as("jobs a killed worker submitted and the other polled to their end")
                    .isPositive();
        });
    }
}
