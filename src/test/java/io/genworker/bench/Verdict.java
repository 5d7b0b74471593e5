package io.genworker.bench;

import java.util.ArrayList;
import java.util.List;

import io.genworker.support.RunOutcome;

/**
 * What makes a benchmark run fail rather than print figures: a job that failed, was answered twice or submitted
 * twice, an adaptive poll policy that does not beat fixed 10 s polling, and a failover slower than its bound. The
 * benchmark exits non-zero when any of these is found, so a bad figure cannot pass as a result.
 */
final class Verdict {

    private final List<String> failures = new ArrayList<>();

    /** No job failed, was answered twice or was submitted twice. */
    void jobs(String section, RunOutcome outcome) {
        check(outcome.failed() == 0, "%s: %d of %d jobs failed", section, outcome.failed(), outcome.jobs());
        check(outcome.duplicateResults() == 0, "%s: %d results more than one per job", section,
                outcome.duplicateResults());
        check(outcome.doubleSubmissions() == 0, "%s: %d jobs submitted more than once", section,
                outcome.doubleSubmissions());
    }

    /**
     * On the 60-90 s models the adaptive policy must poll less and notice the end sooner, on average, than fixed 10 s
     * polling does (the docs' examples: about 8 calls for a 75 s job, ~5 s late on average).
     */
    void adaptiveBeatsFixed(PolicyBenchmark.Outcome adaptive, PolicyBenchmark.Outcome fixed) {
        PolicyBenchmark.Stats a = adaptive.sixtyToNinety();
        PolicyBenchmark.Stats f = fixed.sixtyToNinety();
        check(a.pollsMean() < f.pollsMean(), "policies: %s polls %.2f times per 60-90 s job, not fewer than %s's %.2f",
                adaptive.policy(), a.pollsMean(), fixed.policy(), f.pollsMean());
        check(a.delayMean() < f.delayMean(),
                "policies: %s notices a 60-90 s job's end %.2f s late on average, not sooner than %s's %.2f s",
                adaptive.policy(), a.delayMean(), fixed.policy(), f.delayMean());
    }

    /**
     * A SIGKILLed worker's jobs are polled again by the survivor, every one of them, within the bound: the session
     * timeout (the group notices the death) plus the result-transaction timeout (the longest an open transaction of
     * the dead worker can hide its records) plus 5 s.
     */
    void failover(int exit, int orphans, int polled, double maxSeconds, long boundSeconds) {
        check(exit == 137, "failover: the killed worker exited with %d, not 137 (SIGKILL)", exit);
        check(orphans > 0, "failover: the killed worker drove none of the jobs in flight");
        check(polled == orphans, "failover: %d of the killed worker's %d jobs never polled again by the survivor",
                orphans - polled, orphans);
        check(maxSeconds <= boundSeconds, "failover: the last orphaned job was polled again %.1f s after the kill,"
                + " more than the bound of %d s", maxSeconds, boundSeconds);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    private void check(boolean ok, String format, Object... args) {
        if (!ok) {
            failures.add(String.format(format, args));
        }
    }
}
