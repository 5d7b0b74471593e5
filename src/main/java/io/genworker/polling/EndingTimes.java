package io.genworker.polling;

/**
 * When one profile's generations end, successes and failures apart: each has its own histogram, fading only as its
 * own kind of ending is added, so failures neither shift nor shorten the memory of where successes end. The
 * schedule reads the mixture
 *
 * <pre>
 *     P(T &lt;= t) = p * F_fail(t) + (1 - p) * F_success(t)
 * </pre>
 *
 * with p the failures' share of the profile's recent endings, counted apart with its own prior, fading with every
 * ending of either kind.
 */
final class EndingTimes implements Distribution {

    private final TimeHistogram successes;
    private final TimeHistogram failures;
    private double succeeded;
    private double failed;

    /**
     * @param succeeded how many successes the successes' prior counts as
     * @param failed how many failures the failures' prior counts as
     */
    EndingTimes(TimeHistogram successes, TimeHistogram failures, double succeeded, double failed) {
        this.successes = successes;
        this.failures = failures;
        this.succeeded = succeeded;
        this.failed = failed;
    }

    /** Probability that a generation of the profile, of either ending, ended by t seconds. */
    @Override
    public double cumulativeAt(double t) {
        double p = failureShare();
        return share(successes, t) * (1 - p) + (p > 0 ? share(failures, t) * p : 0);
    }

    /** 1 once anything is known of the profile, 0 when neither prior nor ending gave it a distribution. */
    @Override
    public double total() {
        return successes.total() > 0 || failures.total() > 0 ? 1 : 0;
    }

    /** p: the share of the profile's recent generations that failed, the prior included. */
    double failureShare() {
        double all = succeeded + failed;
        return all <= 0 || failures.total() <= 0 ? 0 : failed / all;
    }

    TimeHistogram successes() {
        return successes;
    }

    /**
     * One generation ended between the two ages. A success is spread evenly over its interval, as before; a failure
     * in proportion to where failures already end within it: the first failures are seen only at the first poll,
     * placed for successes a minute later, and spread evenly they would teach that failures end anywhere in that
     * minute, which places the early poll late and so keeps teaching it (a poll says nothing of where inside the
     * interval the failure was).
     */
    void ended(double fromSeconds, double toSeconds, Ending ending, double decay) {
        succeeded *= decay;
        failed *= decay;
        if (ending == Ending.FAILED) {
            failed += 1;
            failures.decay(decay);
            failures.addLikeSoFar(fromSeconds, toSeconds, 1);
        } else {
            succeeded += 1;
            successes.decay(decay);
            successes.add(fromSeconds, toSeconds, 1);
        }
    }

    private static double share(TimeHistogram histogram, double t) {
        double total = histogram.total();
        return total <= 0 ? 0 : histogram.cumulativeAt(t) / total;
    }
}
