package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StallWatchTest {

    private static final long MS = 1_000_000;

    @Test
    void aGapOfMoreThanASecondBetweenTicksIsAStall() {
        StallWatch watch = new StallWatch();
        watch.tick(0);
        watch.tick(100 * MS);
        watch.tick(1_050 * MS);
        assertThat(watch.stalls()).as("950 ms: a busy loop, no stall").isZero();

        watch.tick(26_000 * MS);
        watch.tick(26_100 * MS);
        assertThat(watch.stalls()).as("a 25 s freeze").isEqualTo(1);
    }
}
