package io.genworker.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** How an observed interval is spread over the buckets. */
class TimeHistogramTest {

    @Test
    void anIntervalIsSpreadLikeWhatWasLearnedWithinIt() {
        TimeHistogram histogram = new TimeHistogram();
        histogram.add(0, 10, 1);

        histogram.addLikeSoFar(0, 60, 1);

        assertThat(histogram.cumulativeAt(11)).isCloseTo(2, within(1e-9));
        assertThat(histogram.total()).isCloseTo(2, within(1e-9));
    }

    @Test
    void whereNothingWasLearnedAnIntervalIsSpreadEvenly() {
        TimeHistogram histogram = new TimeHistogram();
        histogram.add(0, 10, 1);

        histogram.addLikeSoFar(20, 60, 1);

        assertThat(histogram.cumulativeAt(40) - histogram.cumulativeAt(20)).isCloseTo(0.5, within(0.01));
    }
}
