package io.genworker.polling;

import java.util.HashMap;
import java.util.Map;

import io.genworker.catalogue.ModelCatalogue;

/**
 * The learned generation times, per job profile and shared by every job of the profile: when its successes end and
 * when its failures do ({@link EndingTimes}). Successes are seeded from the docs' figures with the weight of a few
 * jobs; failures with a small share of that weight, early (providers refuse a prompt or an image within seconds);
 * each ended generation then adds one, and older ones fade, so the distribution follows the provider when it speeds
 * up or slows down, or starts refusing more. Used from the tracker's single context only (and by the single-threaded
 * benchmark), so it takes no locks.
 */
final class GenerationTimes {

    /** Generations without a documented figure: a wide guess from 10 s to 5 min that learning soon narrows. */
    private static final double[] UNDOCUMENTED = { 10, 300 };
    /** The docs give round figures ("about 30-40 seconds"): the prior covers a margin around them. */
    private static final double PRIOR_MARGIN = 0.15;
    private static final double PRIOR_MIN_MARGIN_SECONDS = 5;

    private final ModelCatalogue catalogue;
    private final double priorWeight;
    private final double decay;
    private final FailureLearning failures;
    private final Map<JobProfile, EndingTimes> byProfile = new HashMap<>();

    /**
     * @param priorWeight how many jobs the docs' figure is worth
     * @param window roughly how many recent jobs of a profile the distribution reflects
     */
    GenerationTimes(ModelCatalogue catalogue, double priorWeight, int window, FailureLearning failures) {
        this.catalogue = catalogue;
        this.priorWeight = priorWeight;
        this.decay = 1.0 - 1.0 / Math.max(1, window);
        this.failures = failures;
    }

    EndingTimes of(JobProfile profile) {
        return byProfile.computeIfAbsent(profile, this::seeded);
    }

    /** A generation of the profile ended somewhere between the two ages, in seconds since its submission. */
    void ended(JobProfile profile, double fromSeconds, double toSeconds, Ending ending) {
        if (ending == Ending.FAILED && !failures.enabled()) {
            return;
        }
        of(profile).ended(fromSeconds, toSeconds, ending, decay);
    }

    private EndingTimes seeded(JobProfile profile) {
        double[] documented = profile.documentedSeconds(catalogue);
        double[] range = documented == null ? UNDOCUMENTED : documented;
        double margin = Math.max(PRIOR_MIN_MARGIN_SECONDS, (range[0] + range[1]) / 2 * PRIOR_MARGIN);
        TimeHistogram successes = new TimeHistogram();
        successes.add(Math.max(0, range[0] - margin), range[1] + margin, priorWeight);
        TimeHistogram failed = new TimeHistogram();
        double share = failures.priorShare();
        // Counted so that failures are the prior share of the prior's endings.
        double failedPrior = priorWeight * share / (1 - share);
        if (share > 0) {
            failed.add(0, failures.priorWithin().toMillis() / 1000.0, failedPrior);
        }
        return new EndingTimes(successes, failed, priorWeight, failedPrior);
    }
}
