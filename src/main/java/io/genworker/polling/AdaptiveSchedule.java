package io.genworker.polling;

import java.time.Duration;

/**
 * Polls where generations end. Each poll costs a call; each second between a generation's end and the poll that sees
 * it is delay. Given the learned distribution T of generation times and the job's age a, the next poll comes after
 * the step d where
 *
 * <pre>
 *     P(a &lt; T &lt;= a + d | T &gt; a) * d = 2 * pollCost
 * </pre>
 *
 * which is the discrete form of the optimal inspection rate sqrt(hazard / (2 * pollCost)) (Keller, "Optimum checking
 * schedules for systems subject to random failure", 1974): polls are sparse where few generations end and dense where
 * many do, and the first poll jumps straight to where the distribution starts. Past the end of what was learned, the
 * job is an outlier and is polled at the fixed interval.
 */
final class AdaptiveSchedule implements PollSchedule {

    /** Below this share of generations still to end, the job is past the learned distribution. */
    private static final double TAIL = 0.01;

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
        TimeHistogram histogram = times.of(profile);
        double a = age.toMillis() / 1000.0;
        double total = histogram.total();
        double endedBefore = histogram.cumulativeAt(a);
        double remaining = total - endedBefore;
        if (total <= 0 || remaining <= TAIL * total) {
            return outlierInterval;
        }
        double target = 2 * pollCostSeconds;
        if (score(histogram, a, endedBefore, remaining, minStepSeconds) >= target) {
            return seconds(minStepSeconds);
        }
        // score() grows with the step (more mass, longer step): bisect for the step that reaches the target.
        double lo = minStepSeconds;
        double hi = TimeHistogram.MAX_SECONDS;
        for (int i = 0; i < 40 && hi - lo > 0.01; i++) {
            double mid = (lo + hi) / 2;
            if (score(histogram, a, endedBefore, remaining, mid) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return seconds(hi);
    }

    @Override
    public void ended(JobProfile profile, Duration lastSeenRunning, Duration seenEnded) {
        times.ended(profile, lastSeenRunning.toMillis() / 1000.0, seenEnded.toMillis() / 1000.0);
    }

    private static double score(TimeHistogram histogram, double age, double endedBefore, double remaining,
            double step) {
        return (histogram.cumulativeAt(age + step) - endedBefore) / remaining * step;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
