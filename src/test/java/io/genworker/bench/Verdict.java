package io.genworker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.genworker.support.RunOutcome;

/**
 * What makes a benchmark run fail rather than print figures: a job that failed, was answered twice or submitted
 * twice, an adaptive poll policy that does not beat fixed 10 s polling, and a failover that leaves a job unpolled.
 * The benchmark exits non-zero when any of these is found, so a bad figure cannot pass as a result. Performance targets (issue 16's) are recorded and
 * printed as met or missed, but do not fail the run: a missed target is a figure to explain, not a broken run.
 */
final class Verdict {

    private final List<String> failures = new ArrayList<>();
    private final Map<String, Boolean> targets = new LinkedHashMap<>();

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

    /** A performance target, met or not; printed at the end and written to the summary. */
    void target(String target, boolean met) {
        targets.put(target, met);
    }

    Map<String, Boolean> targets() {
        return new LinkedHashMap<>(targets);
    }

    /**
     * Issue 16's targets for the adaptive policy: a generation that fails within 10 s is noticed within 5 s (p50),
     * and noticing those does not cost the 60-90 s models more than 6 polls per job, nor their p50 delay 2 s.
     */
    void adaptiveTargets(PolicyBenchmark.Outcome adaptive) {
        PolicyBenchmark.Stats fails = adaptive.failsWithin10s();
        PolicyBenchmark.Stats sixtyToNinety = adaptive.sixtyToNinety();
        target(String.format("policies: %s notices a generation failing within 10 s within 5 s, p50 (%.2f s)",
                adaptive.policy(), fails.delayP50()), fails.delayP50() <= 5);
        target(String.format("policies: %s polls a 60-90 s job at most 6 times (%.2f)", adaptive.policy(),
                sixtyToNinety.pollsMean()), sixtyToNinety.pollsMean() <= 6);
        target(String.format("policies: %s notices a 60-90 s job's end within 2 s, p50 (%.2f s)", adaptive.policy(),
                sixtyToNinety.delayP50()), sixtyToNinety.delayP50() <= 2);
    }

    /**
     * Workers splitting an account's limit between them: together they call the provider at most 5 % above the
     * limit, and fewer than 1 % of their calls are refused with 429.
     */
    void fleetRate(double callsPerSecond, int limit, double refusedShare) {
        target(String.format("fleet rate: calls reach the provider at most 5 %% above its limit of %d (%.1f/s)", limit,
                callsPerSecond), callsPerSecond <= limit * 1.05);
        target(String.format("fleet rate: under 1 %% of the calls refused with 429 (%.2f %%)", refusedShare * 100),
                refusedShare < 0.01);
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
        target(String.format("failover: the last orphaned job polled again within %d s of the kill (%.1f s)",
                boundSeconds, maxSeconds), maxSeconds <= boundSeconds);
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
