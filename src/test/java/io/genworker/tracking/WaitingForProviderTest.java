package io.genworker.tracking;

import static io.genworker.tracking.ReplayRecords.T;
import static io.genworker.tracking.ReplayRecords.requested;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.genworker.job.JobRecord;

/**
 * Jobs that wait for a paused provider step out of flight into the partition's parked jobs, one queue per provider:
 * the tracker passes over a paused provider's queue in one step, leaves it out of the count that holds new jobs
 * back, and reads each job back from the offset of its newest record.
 */
class WaitingForProviderTest {

    private final PartitionReplay partition = new PartitionReplay();

    @Test
    void aJobAdoptedLiveIsAdoptedFromTheOffsetItWasReadAtAskedOnce() {
        partition.finishReplay();

        partition.live(requested("a"), null, 7);

        assertThat(partition.takeAdoptedOffset("a")).isEqualTo(7);
        assertThat(partition.takeAdoptedOffset("a")).as("asked once").isEqualTo(-1);
    }

    @Test
    void aJobAdoptedFromTheReplayCarriesTheOffsetOfItsNewestRecord() {
        JobRecord a = requested("a");
        ReplayRecords.replay(partition, 3, a, a.submitting(T), a.submitting(T).submitRefused(T));
        partition.finishReplay();

        assertThat(partition.takeAdoptedOffset("a")).isEqualTo(5);
    }

    @Test
    void jobsParkedForAPausedProviderArePassedOverAndCountedApart() {
        partition.finishReplay();
        partition.started("s1");
        partition.parkWaiting(segmind("s1"), 10);
        partition.parkWaiting(segmind("s2"), 11);
        partition.parkWaiting(requested("a1"), 12);
        Set<String> paused = Set.of("segmind");

        assertThat(partition.active()).as("out of flight").doesNotContain("s1");
        assertThat(partition.parkedCount()).isEqualTo(3);
        assertThat(partition.parkedCount(paused::contains)).isEqualTo(2);
        assertThat(partition.nextToUnpark(p -> !paused.contains(p), kept -> true))
                .isEqualTo(new PartitionReplay.Parked("a1", 12));
        assertThat(partition.nextToUnpark(p -> !paused.contains(p), kept -> true)).as("a1 is being read").isNull();
        PartitionReplay.Parked probe = partition.nextToUnpark(paused::contains, kept -> true);
        assertThat(probe).as("the paused provider's first job, for its probe")
                .isEqualTo(new PartitionReplay.Parked("s1", 10));
        assertThat(partition.parkedProvider(probe)).isEqualTo("segmind");
    }

    @Test
    void aParkedJobWhoseWaitRanOutIsFoundAmongThoseOfItsPausedProvider() {
        partition.finishReplay();
        partition.parkWaiting(segmind("late", T.plusSeconds(3600)), 1);
        partition.parkWaiting(segmind("early", T), 2);

        long now = T.plusSeconds(60).toEpochMilli();
        assertThat(partition.nextToUnpark("segmind"::equals, kept -> kept.deadlineMillis() <= now))
                .isEqualTo(new PartitionReplay.Parked("early", 2));
    }

    @Test
    void aParkedJobWrittenAgainIsReadBackFromItsNewestRecord() {
        partition.finishReplay();
        JobRecord s = segmind("s");
        partition.parkWaiting(s, 4);

        partition.live(s.submitting(T).submitRefused(T), null, 9);

        assertThat(partition.nextToUnpark()).isEqualTo(new PartitionReplay.Parked("s", 9));
    }

    private static JobRecord segmind(String id) {
        return segmind(id, T.plusSeconds(1200));
    }

    private static JobRecord segmind(String id, Instant deadline) {
        return JobRecord.requested(id, "segmind", "pixverse-5-transition",
                JsonNodeFactory.instance.objectNode().put("prompt", "a cat"), null, T, deadline);
    }
}
