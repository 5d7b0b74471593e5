package io.genworker.polling;

import java.time.Duration;

/**
 * Polls where generations end. Each poll costs a call; each second between a generation's end and the poll that sees
 * it is delay. The distribution T of when the profile's generations end is the mixture of its failures' and its
 * successes' learned times ({@link EndingTimes}); given the job's age a, the next poll comes after the step d where
 *
 * <pre>
 *     P(a &lt; T &lt;= a + d | T &gt; a) * d = 2 * pollCost
 * </pre>
 *
 * which is the discrete form of the optimal inspection rate sqrt(hazard / (2 * pollCost)) (Keller, "Optimum checking
 * schedules for systems subject to random failure", 1974): polls are sparse where few generations end and dense where
 * many do, and the first poll jumps straight to where the distribution starts. Past the end of what was learned, the
 * job is an outlier and is polled at the fixed interval.
 * <p>
 * Keller's rule looks one step ahead, which suits a smooth distribution but not a mixture with a gap: a few percent
 * of failures in the first 10 s, then nothing until the successes a minute later, either are too little mass for
 * the rule to stop for, and it steps over them (those failures are reported 40-50 s late), or are just enough, and
 * it stops where their mass adds up to its target (at 20 s for 5 %), which catches no more of them than a poll at
 * 10 s would, and later. Hence a second look, against the step d the successes alone would take (or the rule's own,
 * if longer): an extra poll at a + e before it costs one poll and makes every generation ending by then known
 * (d - e) sooner; it is made when the best e saves more than it costs,
 *
 * <pre>
 *     max over e &lt; d of P(a &lt; T &lt;= a + e | T &gt; a) * (d - e) &gt; pollCost
 * </pre>
 *
 * (then asked again of e, and so on). Where the hazard is smooth the rule's own step already balances it (under a
 * constant hazard the best e saves pollCost / 2), so the check fires only before a gap; for a kind with no failures
 * learned, the prior's share of them is too small for it to fire (see {@link FailureLearning}), and the schedule is
 * the successes' own.
 */
final class AdaptiveSchedule implements PollSchedule {

    /** Below this share of generations still to end, the job is past the learned distribution. */
    private static final double TAIL = 0.01;
    /** Candidate earlier polls tried within one planned step: finer than the minimum interval needs. */
    private static final int EARLIER_CANDIDATES = 200;

    private final GenerationTimes times;
    private final double pollCostSeconds;
    private final double minStepSeconds;
    private final Duration outlierInterval;

    AdaptiveSchedule(GenerationTimes times, Duration pollCost, Duration minInterval, Duration outlierInterval) {
        this.times = times;
        this.pollCostSeconds = pollCost.toMillis() / 1000.0;
        this.minStepSeconds = Math.max(0.001, minInterval.toMillis() / 1000.0);
        this.outlierInterval = outlierInterval;
    }

    @Override
    public Duration next(JobProfile profile, Duration age, int polls) {
        EndingTimes ends = times.of(profile);
        double a = age.toMillis() / 1000.0;
        Window all = Window.at(ends, a);
        if (all == null) {
            return outlierInterval;
        }
        double step = kellerStep(all);
        Window successes = Window.at(ends.successes(), a);
        double planned = successes == null ? step : Math.max(step, kellerStep(successes));
        double earliest = planned;
        for (double earlier = earlierPoll(all, earliest); earlier < earliest; earlier = earlierPoll(all, earliest)) {
            earliest = earlier;
        }
        return seconds(earliest < planned ? earliest : step);
    }

    @Override
    public void ended(JobProfile profile, Duration lastSeenRunning, Duration seenEnded, Ending ending) {
        times.ended(profile, lastSeenRunning.toMillis() / 1000.0, seenEnded.toMillis() / 1000.0, ending);
    }

    private double kellerStep(Window window) {
        double target = 2 * pollCostSeconds;
        if (window.endingWithin(minStepSeconds) * minStepSeconds >= target) {
            return minStepSeconds;
        }
        // The score grows with the step (more mass, longer step): bisect for the step that reaches the target.
        double lo = minStepSeconds;
        double hi = TimeHistogram.MAX_SECONDS;
        for (int i = 0; i < 40 && hi - lo > 0.01; i++) {
            double mid = (lo + hi) / 2;
            if (window.endingWithin(mid) * mid < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** The earlier poll that saves more delay than it costs, or the planned step when none does. */
    private double earlierPoll(Window window, double step) {
        double best = step;
        double bestSaving = pollCostSeconds;
        double spacing = Math.max(0.01, (step - minStepSeconds) / EARLIER_CANDIDATES);
        for (double e = minStepSeconds; e < step - minStepSeconds; e += spacing) {
            double saving = window.endingWithin(e) * (step - e);
            if (saving > bestSaving) {
                best = e;
                bestSaving = saving;
            }
        }
        return best;
    }

    /** The job at age a: the share of the generations still running that end within a step. */
    private record Window(Distribution ends, double age, double endedBefore, double remaining) {

        /** Null when the job is past the distribution: fewer than TAIL of its generations are still running. */
        static Window at(Distribution ends, double age) {
            double total = ends.total();
            double endedBefore = ends.cumulativeAt(age);
            double remaining = total - endedBefore;
            return total <= 0 || remaining <= TAIL * total ? null : new Window(ends, age, endedBefore, remaining);
        }

        double endingWithin(double step) {
            return (ends.cumulativeAt(age + step) - endedBefore) / remaining;
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
