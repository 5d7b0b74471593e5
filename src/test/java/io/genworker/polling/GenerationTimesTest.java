package io.genworker.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.catalogue.ModelCatalogue;

/** Successes and failures learned apart, and the failures' share of a profile's endings. */
class GenerationTimesTest {

    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(new ObjectMapper());
    private static final JobProfile I2V = new JobProfile("aimlapi", "pixverse/v5/image-to-video", "default", 5, false);
    private static final FailureLearning FAILURES = new FailureLearning(true, 0.003, Duration.ofSeconds(10));

    private final GenerationTimes times = new GenerationTimes(CATALOGUE, 20, 200, FAILURES);

    @Test
    void beforeAnyFailureIsSeenTheirShareIsThePriorsAndTheyEndEarly() {
        EndingTimes ends = times.of(I2V);

        assertThat(ends.failureShare()).isCloseTo(0.003, within(1e-9));
        // All of the prior's failures end in its 10 s, before any success does.
        assertThat(ends.cumulativeAt(11)).isCloseTo(0.003, within(1e-9));
    }

    @Test
    void theFailuresShareFollowsTheRecentEndings() {
        for (int i = 0; i < 1000; i++) {
            times.ended(I2V, i % 10 == 0 ? 0 : 70, i % 10 == 0 ? 8 : 75, i % 10 == 0 ? Ending.FAILED
                    : Ending.SUCCEEDED);
        }

        assertThat(times.of(I2V).failureShare()).isBetween(0.08, 0.12);
    }

    @Test
    void failuresDoNotChangeTheShapeOfTheSuccesses() {
        GenerationTimes successesOnly = new GenerationTimes(CATALOGUE, 20, 200, FAILURES);
        for (int i = 0; i < 100; i++) {
            times.ended(I2V, 70, 75, Ending.SUCCEEDED);
            times.ended(I2V, 0, 60, Ending.FAILED);
            successesOnly.ended(I2V, 70, 75, Ending.SUCCEEDED);
        }
        TimeHistogram withFailures = times.of(I2V).successes();
        TimeHistogram without = successesOnly.of(I2V).successes();

        for (double t = 0; t <= 120; t += 5) {
            assertThat(withFailures.cumulativeAt(t) / withFailures.total()).as("at %.0f s", t)
                    .isCloseTo(without.cumulativeAt(t) / without.total(), within(1e-9));
        }
    }

    @Test
    void whenFailureLearningIsOffFailuresAreNeitherLearnedNorAssumed() {
        GenerationTimes off = new GenerationTimes(CATALOGUE, 20, 200, FailureLearning.OFF);
        off.ended(I2V, 0, 5, Ending.FAILED);

        assertThat(off.of(I2V).failureShare()).isZero();
        assertThat(off.of(I2V).cumulativeAt(30)).isZero();
    }
}
