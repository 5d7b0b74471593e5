package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The compact memory of finished jobs: what it answers, what it costs, and that it forgets on time. */
class FinishedJobsTest {

    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    private final FinishedJobs finished = new FinishedJobs();

    @Test
    void aFinishedJobIsFoundByItsFingerprintWithItsTerminalOffset() {
        finished.put(FinishedJobs.fingerprint("job-1"), 42, T);

        assertThat(finished.offsetOf(FinishedJobs.fingerprint("job-1"))).isEqualTo(42);
        assertThat(finished.offsetOf(FinishedJobs.fingerprint("job-2"))).isEqualTo(FinishedJobs.ABSENT);
    }

    @Test
    void theNewestTerminalOffsetReplacesTheOlder() {
        long fingerprint = FinishedJobs.fingerprint("job-1");
        finished.put(fingerprint, FinishedJobs.NOT_YET_READ, T);

        finished.seen(fingerprint, 7);
        finished.seen(FinishedJobs.fingerprint("unknown"), 8);

        assertThat(finished.offsetOf(fingerprint)).isEqualTo(7);
        assertThat(finished.size()).isEqualTo(1);
    }

    @Test
    void aMillionFinishedJobsCostAtMostSixtyFourBytesEach() {
        int jobs = 1_000_000;
        for (int i = 0; i < jobs; i++) {
            finished.put(FinishedJobs.fingerprint("job-" + i), i, T.plusSeconds(i));
        }

        assertThat(finished.size()).isEqualTo(jobs);
        assertThat(finished.bytes() / (double) jobs).isLessThanOrEqualTo(64);
        for (int i = 0; i < jobs; i += 9_973) {
            assertThat(finished.offsetOf(FinishedJobs.fingerprint("job-" + i))).isEqualTo(i);
        }
    }

    @Test
    void jobsFinishedBeforeTheCutOffAreForgottenAndTheRestKept() {
        for (int i = 0; i < 1000; i++) {
            finished.put(FinishedJobs.fingerprint("job-" + i), i, T.plus(Duration.ofMinutes(i)));
        }

        int pruned = finished.pruneFinishedBefore(T.plus(Duration.ofMinutes(600)));

        assertThat(pruned).isEqualTo(600);
        assertThat(finished.size()).isEqualTo(400);
        assertThat(finished.contains(FinishedJobs.fingerprint("job-599"))).isFalse();
        assertThat(finished.offsetOf(FinishedJobs.fingerprint("job-600"))).isEqualTo(600);
        assertThat(finished.offsetOf(FinishedJobs.fingerprint("job-999"))).isEqualTo(999);
        assertThat(finished.bytes() / (double) finished.size()).as("the table shrinks with what it holds")
                .isLessThanOrEqualTo(64);
    }

    @Test
    void fingerprintsOfSimilarIdsDoNotCollideAndAreNeverTheEmptyMark() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            long fingerprint = FinishedJobs.fingerprint("job-" + i);
            assertThat(fingerprint).isNotZero();
            seen.add(fingerprint);
        }

        assertThat(seen).hasSize(200_000);
    }
}
