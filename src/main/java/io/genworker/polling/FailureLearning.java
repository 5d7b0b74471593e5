package io.genworker.polling;

import java.time.Duration;

import io.genworker.config.WorkerConfig;

/**
 * Whether the adaptive schedule learns when failed generations end, and what it assumes of a kind of job before it
 * has seen one of them fail.
 *
 * @param enabled off: failures are not learned and the schedule polls for successes only (the policy before issue
 *        16, kept for comparison)
 * @param priorShare share of the kind's generations assumed to fail; small, so that a kind that never fails is not
 *        polled early for nothing: an early poll is made once this share times the wait it saves exceeds the poll
 *        cost (0.3 % x 45 s = 0.14 s for a 60-90 s kind, against 0.5 s), and one failure seen outweighs it
 * @param priorWithin the assumed failures end evenly between the submission and this
 */
public record FailureLearning(boolean enabled, double priorShare, Duration priorWithin) {

    public static final FailureLearning OFF = new FailureLearning(false, 0, Duration.ZERO);

    public FailureLearning {
        if (priorShare < 0 || priorShare >= 1) {
            throw new IllegalArgumentException("failure prior share must be in [0, 1): " + priorShare);
        }
    }

    static FailureLearning from(WorkerConfig.Polling.Learning config) {
        return config.failures()
                ? new FailureLearning(true, config.failurePriorShare(), config.failurePriorWithin())
                : OFF;
    }
}
