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
    void aCommandForAJobIdNotSeenPublishesNothingButEndsItsRequestIfItComes() {
        replay(cancel("early"));
        assertThat(partition.finishReplay()).as("no job, no result").isEmpty();

        PartitionReplay other = new PartitionReplay(room);
        other.replay(cancel("early"), 0);
        other.replay(requested("early"), 1);
        assertThat(other.finishReplay()).as("the request is adopted to end cancelled, never submitted")
                .containsExactly(new PartitionReplay.Adopt(requested("early"), false, ASKED));
    }

    @Test
    void aRequestFollowingItsCommandPastTheCapIsParkedAndReadBackFirst() {
        free = 0;
        replay(requested("waiting"), cancel("late"), requested("late"));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Parked("waiting", 0),
                new PartitionReplay.Parked("late", 2));
        assertThat(partition.nextCancelledToUnpark()).isEqualTo(new PartitionReplay.Parked("late", 2));
    }

    @Test
    void aCommandAfterAFinishedJobChangesNothing() {
        JobRecord a = requested("a");
        replay(a, completed(submitted(a)), cancel("a"));

        assertThat(partition.finishReplay()).isEmpty();
        assertThat(partition.cancelsKept()).isZero();
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
    void liveACommandForAJobIdNotSeenWaitsForItsRequestWhichIsThenAdoptedToEndCancelled() {
        partition.finishReplay();

        assertThat(partition.live(cancel("early"), null, 7)).isEqualTo(new PartitionReplay.CancelAwaitingRequest(true));
        assertThat(partition.live(requested("early"), null, 8)).isEqualTo(
                new PartitionReplay.Adopt(requested("early"), false, ASKED));
        assertThat(partition.takeAdoptedOffset("early")).isEqualTo(8);
        assertThat(partition.cancelsKept()).isZero();
    }

    @Test
    void commandsForJobIdsNotSeenAreBoundedAndForgottenAfterTheDedupWindow() {
        partition.finishReplay();
        for (int i = 0; i < PartitionReplay.MAX_AWAITING; i++) {
            partition.live(cancel("ghost-" + i), null, i);
        }

        assertThat(partition.live(cancel("one-too-many"), null, 0)).isEqualTo(
                new PartitionReplay.CancelAwaitingRequest(false));
        assertThat(partition.cancelsKept()).isEqualTo(PartitionReplay.MAX_AWAITING);
        partition.pruneFinishedBefore(T.plusSeconds(1));
        assertThat(partition.cancelsKept()).isZero();
    }

    @Test
    void liveACommandAfterAJobFinishedHereChangesNothingWhetherOrNotItsResultWasReadBack() {
        partition.finishReplay();
        JobRecord done = completed(submitted(requested("a")));
        partition.finished(done, FinishedJobs.NOT_YET_READ);
        assertThat(partition.live(cancel("a"), null, 5)).isEqualTo(new PartitionReplay.CancelTooLate("a"));

        partition.live(done, null, 6);
        assertThat(partition.live(cancel("a"), null, 7)).isEqualTo(new PartitionReplay.CancelTooLate("a"));
        assertThat(partition.cancelsKept()).isZero();
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
