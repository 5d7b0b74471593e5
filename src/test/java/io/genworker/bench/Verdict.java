package io.genworker.bench;

import java.util.ArrayList;
import java.util.List;

import io.genworker.support.RunOutcome;

/**
 * What makes a benchmark run fail rather than print figures: a job that failed, was answered twice or submitted
 * twice, an adaptive poll policy that does not beat fixed 10 s polling, and workers that together overrun their
 * provider account's rate limit. The benchmark exits non-zero when any
 * of these is found, so a bad figure cannot pass as a result.
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
     * Workers splitting an account's limit between them: together they call the provider at most 5 % above the
     * limit, and fewer than 1 % of their calls are refused with 429.
     */
    void fleetRate(double callsPerSecond, int limit, double refusedShare) {
        check(callsPerSecond <= limit * 1.05, "fleet rate: %.1f calls/s reached the provider, above its limit of %d"
                + " + 5 %%", callsPerSecond, limit);
        check(refusedShare < 0.01, "fleet rate: %.2f %% of the calls were refused with 429 (1 %% at most)",
                refusedShare * 100);
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
