package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class StallWatchTest {

    private static final long MS = 1_000_000;

    @Test
    void aGapLongerThanTheOwnershipLeaseBetweenTicksIsAStall() {
        StallWatch watch = new StallWatch(Duration.ofSeconds(5));
        watch.tick(0);
        watch.tick(100 * MS);
        watch.tick(4_000 * MS);
        assertThat(watch.stalls()).as("3.9 s: a starved machine, its partitions still its own").isZero();

        watch.tick(26_000 * MS);
        watch.tick(26_100 * MS);
        assertThat(watch.stalls()).as("a 25 s freeze").isEqualTo(1);
    }
}
