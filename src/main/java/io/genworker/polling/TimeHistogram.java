package io.genworker.polling;

/**
 * A small, decaying distribution of generation times: weights in log-spaced buckets (5 % wide) from one second to
 * two hours, about 180 doubles. Within a bucket the mass is taken as spread evenly, so the CDF is piecewise linear.
 * <p>
 * Hand-rolled rather than a library sketch (t-digest, HdrHistogram, Micrometer's histograms) because the policy needs
 * three things they don't give together: weights spread over an interval (a poll only tells that a generation ended
 * between two polls), exponential forgetting, and a prior that real observations gradually replace.
 */
final class TimeHistogram implements Distribution {

    private static final double RATIO = 1.05;
    private static final double LOG_RATIO = Math.log(RATIO);
    static final double MAX_SECONDS = 7200;
    /** Less than this inside an interval is no shape to follow (a prior faded over thousands of endings). */
    private static final double MIN_WEIGHT = 1e-9;
    private static final int BUCKETS = 2 + (int) Math.ceil(Math.log(MAX_SECONDS) / LOG_RATIO);

    /** Bucket i covers [EDGES[i], EDGES[i + 1]); bucket 0 is [0, 1 s). */
    private static final double[] EDGES = new double[BUCKETS + 1];

    static {
        EDGES[0] = 0;
        for (int i = 1; i <= BUCKETS; i++) {
            EDGES[i] = Math.pow(RATIO, i - 1);
        }
    }

    private final double[] weights = new double[BUCKETS];
    /** cumulative[i] = total weight of buckets below i; rebuilt lazily after a change. */
    private final double[] cumulative = new double[BUCKETS + 1];
    private boolean dirty;

    /** Spreads the weight evenly over [from, to] seconds (a single point when they are equal). */
    void add(double from, double to, double weight) {
        spread(from, to, weight, false);
    }

    /**
     * Spreads the weight over [from, to] seconds in proportion to the weight already there: where, given what was
     * learned so far, inside the interval the generation most likely ended. Evenly when nothing is there yet, so a
     * region the distribution had not reached is learned too.
     */
    void addLikeSoFar(double from, double to, double weight) {
        spread(from, to, weight, true);
    }

    private void spread(double from, double to, double weight, boolean likeSoFar) {
        double lo = clamp(Math.min(from, to));
        double hi = clamp(Math.max(from, to));
        double inside = likeSoFar ? cumulativeAt(hi) - cumulativeAt(lo) : 0;
        boolean proportional = inside > MIN_WEIGHT;
        dirty = true;
        if (hi - lo < 1e-9) {
            weights[bucketOf(lo)] += weight;
            return;
        }
        for (int i = bucketOf(lo); i <= bucketOf(hi); i++) {
            double overlap = Math.min(hi, EDGES[i + 1]) - Math.max(lo, EDGES[i]);
            if (overlap > 0) {
                weights[i] += proportional ? weight * weights[i] * overlap / (EDGES[i + 1] - EDGES[i]) / inside
                        : weight * overlap / (hi - lo);
            }
        }
    }

    /** Multiplies every weight: older observations count less than new ones. */
    void decay(double factor) {
        for (int i = 0; i < BUCKETS; i++) {
            weights[i] *= factor;
        }
        dirty = true;
    }

    @Override
    public double total() {
        return cumulativeAt(Double.MAX_VALUE);
    }

    /** Weight of the generations that took at most t seconds. */
    @Override
    public double cumulativeAt(double t) {
        if (dirty) {
            for (int i = 0; i < BUCKETS; i++) {
                cumulative[i + 1] = cumulative[i] + weights[i];
            }
            dirty = false;
        }
        if (t <= 0) {
            return 0;
        }
        if (t >= MAX_SECONDS) {
            return cumulative[BUCKETS];
        }
        int i = bucketOf(t);
        double fraction = (t - EDGES[i]) / (EDGES[i + 1] - EDGES[i]);
        return cumulative[i] + weights[i] * fraction;
    }

    private static double clamp(double t) {
        return Math.max(0, Math.min(MAX_SECONDS - 1e-6, t));
    }

    private static int bucketOf(double t) {
        if (t < 1) {
            return 0;
        }
        int i = 1 + (int) Math.floor(Math.log(t) / LOG_RATIO);
        // Guard against floating-point edges.
        while (i < BUCKETS - 1 && t >= EDGES[i + 1]) {
            i++;
        }
        while (i > 1 && t < EDGES[i]) {
            i--;
        }
        return Math.min(i, BUCKETS - 1);
    }
}
