package io.genworker.tracking;

import static io.genworker.tracking.ReplayRecords.T;
import static io.genworker.tracking.ReplayRecords.completed;
import static io.genworker.tracking.ReplayRecords.requested;
import static io.genworker.tracking.ReplayRecords.submitted;
import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;


import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;

/**
 * A replay that finds more unfinished jobs than there are places under the cap keeps the rest by offset (parked),
 * and hands them out one by one as places free, each adopted from its newest record read back from the log.
 */
class ParkedReplayTest {


    private int free = 2;
    private final ReplayRoom room = new ReplayRoom(() -> free);
    private final PartitionReplay partition = new PartitionReplay(room);
    private long offset;

    @Test
    void aReplayHoldsInFullOnlyWhatFitsAndParksTheRestInOrderByOffset() {
        replay(requested("a"), requested("b"), requested("c"), requested("d"));

        assertThat(room.held()).isEqualTo(2);
        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(requested("a"), false),
                new PartitionReplay.Adopt(requested("b"), false),
                new PartitionReplay.Parked("c", 2),
                new PartitionReplay.Parked("d", 3));
        assertThat(room.held()).as("the adopted jobs are in flight now, counted there").isZero();
        assertThat(partition.parkedCount()).isEqualTo(2);
    }

    @Test
    void aJobFinishingLaterInTheReplayFreesItsPlaceForTheNextOne() {
        JobRecord a = requested("a");
        replay(a, requested("b"), completed(submitted(a)), requested("c"));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(requested("b"), false),
                new PartitionReplay.Adopt(requested("c"), false));
    }

    @Test
    void aParkedJobIsKeptAtItsNewestRecordAndNotAtItsFirst() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, a.submitting(T), submitted(a));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Parked("a", 2));
    }

    @Test
    void aJobWaitingForItsCopyIsAdoptedPastTheCapNeverParkedBehindIt() {
        free = 0;
        JobRecord a = requested("a");
        JobRecord archiving = submitted(a).archiving(new Video("https://cdn.example/a.mp4", null, null, null), null,
                3, T);
        replay(a, submitted(a), archiving, requested("b"));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(archiving, false),
                new PartitionReplay.Parked("b", 3));
        assertThat(room.held()).isZero();
    }

    @Test
    void aParkedJobComesOutOnceAndIsAdoptedFromItsRecordReadBack() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, submitted(a));
        partition.finishReplay();

        PartitionReplay.Parked next = partition.nextToUnpark();
        assertThat(next).isEqualTo(new PartitionReplay.Parked("a", 1));
        assertThat(partition.nextToUnpark()).as("already being read back").isNull();
        assertThat(partition.unparked(next, submitted(a))).isEqualTo(new PartitionReplay.Adopt(submitted(a), false));
        assertThat(partition.parkedCount()).isZero();
    }

    @Test
    void aRepeatedRequestOfAParkedJobUnderWayIsADuplicateAndItsStateIsWrittenAgainOnAdoption() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, submitted(a));
        partition.finishReplay();

        assertThat(partition.live(requested("a"), null, offset++)).isInstanceOf(PartitionReplay.DuplicateOfParked.class);
        PartitionReplay.Parked next = partition.nextToUnpark();
        assertThat(next.offset()).as("still the SUBMITTED record").isEqualTo(1);
        assertThat(partition.unparked(next, submitted(a)).reassert()).isTrue();
    }

    @Test
    void aParkedJobThatAPreviousOwnerFinishesIsNotAdopted() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, submitted(a));
        partition.finishReplay();
        PartitionReplay.Parked next = partition.nextToUnpark();

        assertThat(partition.live(completed(submitted(a)), null, offset++)).isInstanceOf(PartitionReplay.Echo.class);

        assertThat(partition.unparked(next, submitted(a))).isNull();
        assertThat(partition.parkedCount()).isZero();
        assertThat(partition.finishedCount()).isEqualTo(1);
    }

    @Test
    void aReadBackOvertakenByANewerRecordIsReadAgainFromTheNewOffset() {
        free = 0;
        JobRecord a = requested("a");
        replay(a);
        partition.finishReplay();
        PartitionReplay.Parked first = partition.nextToUnpark();
        partition.live(a.submitting(T), null, offset++);

        assertThat(partition.unparked(first, a)).isNull();
        assertThat(partition.nextToUnpark()).isEqualTo(new PartitionReplay.Parked("a", 1));
    }

    @Test
    void nothingParkedComesOutWhileThePartitionStillReplays() {
        free = 0;
        replay(requested("a"));

        assertThat(partition.nextToUnpark()).as("its newer records may still come").isNull();
    }

    @Test
    void aRequestSupersedingAParkedJobsStateHasTheParkedRecordWrittenAgain() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, submitted(a));
        partition.finishReplay();

        assertThat(partition.live(refusal("a"), null, offset++)).as("compaction would keep only the refusal")
                .isEqualTo(new PartitionReplay.DuplicateOfParked(new PartitionReplay.Parked("a", 1)));
        assertThat(partition.parkedAt(new PartitionReplay.Parked("a", 1))).isTrue();
    }

    @Test
    void aReplayThatEndsWithARequestAfterAParkedJobsStateWritesItAgain() {
        free = 0;
        JobRecord a = requested("a");
        replay(a, submitted(a), requested("a"));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Parked("a", 1),
                new PartitionReplay.RestateParked(new PartitionReplay.Parked("a", 1)));
    }

    @Test
    void aPartitionLetGoDuringItsReplayGivesItsPlacesBack() {
        replay(requested("a"), requested("b"));
        assertThat(room.held()).isEqualTo(2);

        partition.abandon();

        assertThat(room.held()).isZero();
    }

    private static JobRecord refusal(String id) {
        return JobRecord.refusal(id, "aimlapi", "pixverse/v5/text-to-video", null,
                JobError.of(ErrorCode.INVALID_REQUEST, "input.duration: 8 s is not offered at 1080p"), T);
    }

    private void replay(JobRecord... records) {
        offset = ReplayRecords.replay(partition, offset, records);
    }
}
