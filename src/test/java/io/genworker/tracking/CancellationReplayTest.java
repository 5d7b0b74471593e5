package io.genworker.tracking;

import static io.genworker.tracking.ReplayRecords.T;
import static io.genworker.tracking.ReplayRecords.completed;
import static io.genworker.tracking.ReplayRecords.requested;
import static io.genworker.tracking.ReplayRecords.submitted;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.genworker.job.Cancellation;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/**
 * What a cancel command in a job-log partition means to its owner, replayed or read live: record sequences in,
 * decisions out. A command is carried out once, never lost on a hand-over, and never turns a finished job into a
 * second answer.
 */
class CancellationReplayTest {

    private static final Cancellation ASKED = Cancellation.requested(T, "not needed", "ops");

    private int free = 10;
    private final ReplayRoom room = new ReplayRoom(() -> free);
    private final PartitionReplay partition = new PartitionReplay(room);
    private long offset;

    @Test
    void aCommandThePreviousOwnerDidNotCarryOutIsAdoptedWithTheJobInItsNewestState() {
        JobRecord a = requested("a");
        replay(a, cancel("a"), a.submitting(T), submitted(a));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Adopt(submitted(a), false, ASKED));
    }

    @Test
    void aCommandCarriedOutBeforeTheReplayIsOverLeavesNothingToDo() {
        JobRecord a = requested("a");
        replay(a, cancel("a"), a.cancelled(ASKED.ended(Cancellation.Outcome.NOT_SUBMITTED), 0, T));

        assertThat(partition.finishReplay()).isEmpty();
        assertThat(partition.finishedCount()).isEqualTo(1);
    }

    @Test
    void aCommandForAJobIdNotSeenIsThatJobUntilItsRequestComesWhichIsNeverSubmitted() {
        replay(cancel("early"));
        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(cancel("early"), false, ASKED));

        PartitionReplay other = new PartitionReplay(room);
        other.replay(cancel("early"), 0);
        other.replay(requested("early"), 1);
        assertThat(other.finishReplay()).as("the request's words go into the CANCELLED result").containsExactly(
                new PartitionReplay.Adopt(requested("early"), false, ASKED));
    }

    @Test
    void aCommandForAJobIdNotSeenIsAdoptedPastTheCapSinceCarryingItOutCallsNoProvider() {
        free = 0;
        replay(requested("waiting"), cancel("early"));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(cancel("early"), false, ASKED),
                new PartitionReplay.Parked("waiting", 0));
    }

    @Test
    void aCommandAfterAFinishedJobIsConfirmedAgainstItsResultAndNeverCountedAsARepeat() {
        JobRecord a = requested("a");
        replay(a, completed(submitted(a)), cancel("a"));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.MaybeDuplicate(cancel("a"), 1, false));
    }

    @Test
    void aParkedJobWithACommandIsReadBackFirstWhateverTheRoom() {
        free = 0;
        JobRecord a = requested("a");
        JobRecord b = requested("b");
        replay(a, b, cancel("b"));
        partition.finishReplay();

        PartitionReplay.Parked next = partition.nextCancelledToUnpark();
        assertThat(next).isEqualTo(new PartitionReplay.Parked("b", 1));
        assertThat(partition.nextCancelledToUnpark()).as("being read back").isNull();
        assertThat(partition.unparked(next, b)).isEqualTo(new PartitionReplay.Adopt(b, false, ASKED));
        assertThat(partition.nextCancelledToUnpark()).isNull();
    }

    @Test
    void liveACommandForAJobInFlightHereIsCarriedOutAndForAParkedOneItIsReadBack() {
        free = 0;
        replay(requested("parked"));
        partition.finishReplay();

        assertThat(partition.live(cancel("running"), JobState.SUBMITTED, offset++))
                .isEqualTo(new PartitionReplay.Cancel(ASKED));
        assertThat(partition.live(cancel("parked"), null, offset++)).isEqualTo(new PartitionReplay.CancelParked());
        assertThat(partition.nextCancelledToUnpark()).isEqualTo(new PartitionReplay.Parked("parked", 0));
    }

    @Test
    void liveACommandForAJobIdNotSeenIsAdoptedToEndCancelled() {
        partition.finishReplay();

        assertThat(partition.live(cancel("never"), null, 7)).isEqualTo(
                new PartitionReplay.Adopt(cancel("never"), false, ASKED));
        assertThat(partition.takeAdoptedOffset("never")).isEqualTo(7);
    }

    @Test
    void liveACommandAfterAJobFinishedHereIsConfirmedAgainstItsResult() {
        partition.finishReplay();
        JobRecord done = completed(submitted(requested("a")));
        partition.finished(done, FinishedJobs.NOT_YET_READ);
        assertThat(partition.live(cancel("a"), null, 5)).as("its result follows in the log: it stays the last word")
                .isEqualTo(new PartitionReplay.Echo());

        partition.live(done, null, 6);
        assertThat(partition.live(cancel("a"), null, 7)).isEqualTo(new PartitionReplay.MaybeDuplicate(cancel("a"), 6,
                false));
    }

    @Test
    void aCommandIsReadInFullNotSettledByItsHeader() {
        partition.finishReplay();

        assertThat(partition.settledByHeader("a", JobState.CANCEL_REQUESTED, null, 3)).isFalse();
    }

    private static JobRecord cancel(String id) {
        return JobRecord.cancelRequest(id, ASKED, T);
    }

    private void replay(JobRecord... records) {
        offset = ReplayRecords.replay(partition, offset, records);
    }
}
