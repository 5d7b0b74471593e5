package io.genworker.tracking;

import static io.genworker.tracking.ReplayRecords.T;
import static io.genworker.tracking.ReplayRecords.completed;
import static io.genworker.tracking.ReplayRecords.completedAt;
import static io.genworker.tracking.ReplayRecords.requested;
import static io.genworker.tracking.ReplayRecords.submitted;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;


import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/** Record sequences in, decisions out: what a job-log partition's records mean to its new owner. */
class PartitionReplayTest {


    private final PartitionReplay partition = new PartitionReplay();
    private long offset;

    @Test
    void aReplayAdoptsEachUnfinishedJobInItsNewestStateInFirstSeenOrder() {
        JobRecord a = requested("a");
        JobRecord b = requested("b");
        JobRecord c = requested("c");
        replay(a, b, c, a.submitting(T), submitted(a), completed(submitted(c)));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(submitted(a), false),
                new PartitionReplay.Adopt(b, false));
        assertThat(partition.replaying()).isFalse();
        assertThat(partition.finishedCount()).isEqualTo(1);
    }

    @Test
    void aSubmittedJobKeepsItsInputForItsPollScheduleIsChosenByItsResolutionAndLength() {
        replay(requested("a"), submitted(requested("a")));

        assertThat(((PartitionReplay.Adopt) partition.finishReplay().get(0)).record().input()).isNotNull();
    }

    @Test
    void aWithdrawnSubmissionIsAdoptedAsRequestedAndNotAsADuplicate() {
        JobRecord submitting = requested("a").submitting(T);
        replay(requested("a"), submitting, submitting.submitRefused(T));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(submitting.submitRefused(T), false));
    }

    @Test
    void aRequestedAfterSubmittingIsAWithdrawalOnlyWithTheSameAttemptCount() {
        JobRecord submitting = requested("a").submitting(T);
        replay(requested("a"), submitting, requested("a"));
        assertThat(partition.finishReplay()).as("a repeated request from intake carries no attempts")
                .containsExactly(new PartitionReplay.Adopt(submitting, true));

        PartitionReplay other = new PartitionReplay();
        JobRecord second = submitting.submitRefused(T).submitting(T);
        other.replay(requested("a"), 0);
        other.replay(submitting, 1);
        other.replay(submitting.submitRefused(T), 2);
        other.replay(second, 3);
        other.replay(submitting.submitRefused(T), 4);
        assertThat(other.finishReplay()).as("a withdrawal of attempt 1 does not withdraw attempt 2")
                .containsExactly(new PartitionReplay.Adopt(second, true));
    }

    @Test
    void aRepeatedRequestDuringTheReplayIsNotTheJobsNewStateAndIsReasserted() {
        replay(requested("a"), submitted(requested("a")), requested("a"));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(submitted(requested("a")), true));
    }

    @Test
    void aReassertionAfterTheRepeatedRequestLeavesNothingToReassert() {
        JobRecord submitted = submitted(requested("a"));
        replay(requested("a"), submitted, requested("a"), submitted.reasserted(T.plusSeconds(1)));

        assertThat(partition.finishReplay()).singleElement()
                .isEqualTo(new PartitionReplay.Adopt(submitted.reasserted(T.plusSeconds(1)), false));
    }

    @Test
    void aRecordAfterAJobsResultIsConfirmedAgainstTheResultInsteadOfReviving() {
        JobRecord submitted = submitted(requested("a"));
        replay(requested("a"), submitted, completed(submitted));
        long terminalAt = offset - 1;
        replay(submitted.reasserted(T.plusSeconds(2)));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.MaybeDuplicate(
                submitted.reasserted(T.plusSeconds(2)), terminalAt, false));
    }

    @Test
    void aRepeatedRequestAfterAJobsResultIsAMaybeDuplicateOfThatResult() {
        JobRecord submitted = submitted(requested("a"));
        replay(requested("a"), submitted, completed(submitted));
        long terminalAt = offset - 1;
        replay(requested("a"));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.MaybeDuplicate(requested("a"), terminalAt, true));
    }

    @Test
    void aResultWrittenAgainAfterTheRepeatedRequestSettlesItAndIsTheOffsetToConfirmAgainst() {
        JobRecord done = completed(submitted(requested("a")));
        replay(requested("a"), done, requested("a"), done.reasserted(T.plusSeconds(5)));
        long newestTerminal = offset - 1;

        assertThat(partition.finishReplay()).isEmpty();
        assertThat(partition.live(requested("a"), null, offset))
                .isEqualTo(new PartitionReplay.MaybeDuplicate(requested("a"), newestTerminal, true));
    }

    @Test
    void aTerminalRecordReplayedByItsHeaderAloneLeavesThePartitionAsItsFullRecordWould() {
        JobRecord submitted = submitted(requested("a"));
        JobRecord done = completed(submitted);
        PartitionReplay byHeader = new PartitionReplay();
        replay(requested("a"), submitted, done, requested("b"), requested("a"));
        byHeader.replay(requested("a"), 0);
        byHeader.replay(submitted, 1);
        byHeader.replayFinished("a", 2, done.finishedAt());
        byHeader.replay(requested("b"), 3);
        byHeader.replay(requested("a"), 4);

        assertThat(byHeader.finishReplay()).isEqualTo(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(requested("b"), false),
                new PartitionReplay.MaybeDuplicate(requested("a"), 2, true));
        assertThat(byHeader.finishedCount()).isEqualTo(partition.finishedCount()).isEqualTo(1);
        assertThat(byHeader.pruneFinishedBefore(done.finishedAt())).as("remembered as finished at the same time")
                .isZero();
        assertThat(byHeader.pruneFinishedBefore(done.finishedAt().plusSeconds(1))).isEqualTo(1);
    }

    @Test
    void aNewJobReadLiveIsAdopted() {
        partition.finishReplay();

        assertThat(partition.live(requested("a"), null, 0)).isEqualTo(new PartitionReplay.Adopt(requested("a"), false));
    }

    @Test
    void aRepeatedRequestForAJobInFlightIsADuplicate() {
        partition.finishReplay();
        partition.started("a");

        assertThat(partition.live(requested("a"), JobState.SUBMITTED, 3)).isEqualTo(new PartitionReplay.Duplicate());
        assertThat(partition.live(JobRecord.refusal("a", "aimlapi", "pixverse/v5/text-to-video", null,
                io.genworker.job.JobError.of(io.genworker.job.ErrorCode.INVALID_REQUEST, "bad"), T),
                JobState.REQUESTED, 4)).as("a refusal of a job waiting unsubmitted: written again even so")
                .isEqualTo(new PartitionReplay.Duplicate(true));
    }

    @Test
    void aRepeatedRequestReadBeforeTheResultOfAJobJustFinishedHereIsOnlyCounted() {
        JobRecord done = completed(submitted(requested("a")));
        partition.finishReplay();
        partition.started("a");
        partition.finished(done, FinishedJobs.NOT_YET_READ);

        assertThat(partition.live(requested("a"), null, 7)).isEqualTo(new PartitionReplay.DuplicateBeforeItsResult());
        assertThat(partition.active()).doesNotContain("a");

        assertThat(partition.settledByHeader("a", JobState.COMPLETED, null, 8)).isTrue();
        assertThat(partition.live(requested("a"), null, 9))
                .as("once its result was read back, a repeat is checked against it")
                .isEqualTo(new PartitionReplay.MaybeDuplicate(requested("a"), 8, true));
    }

    @Test
    void aTransitionLandingAfterAFinishedJobsResultIsConfirmedSoTheResultGoesBackAfterIt() {
        JobRecord submitted = submitted(requested("a"));
        partition.finishReplay();
        partition.finished(completed(submitted), 5);

        assertThat(partition.settledByHeader("a", JobState.SUBMITTED, null, 6)).as("its body is read").isFalse();
        assertThat(partition.live(submitted.reasserted(T.plusSeconds(3)), null, 6)).isEqualTo(
                new PartitionReplay.MaybeDuplicate(submitted.reasserted(T.plusSeconds(3)), 5, false));
    }

    @Test
    void aTransitionReadBeforeTheResultOfAJobJustFinishedHereNeedsNothing() {
        partition.finishReplay();
        partition.finished(completed(submitted(requested("a"))), FinishedJobs.NOT_YET_READ);

        assertThat(partition.live(submitted(requested("a")), null, 6)).isInstanceOf(PartitionReplay.Echo.class);
    }

    @Test
    void theTrackersOwnRefusedSubmissionIsAnEcho() {
        JobRecord submitting = requested("a").submitting(T);
        partition.finishReplay();

        assertThat(partition.live(submitting.submitRefused(T), JobState.REQUESTED, 1))
                .isInstanceOf(PartitionReplay.Echo.class);
    }

    @Test
    void aPreviousOwnersLateResultFinishesAJobRunningHere() {
        JobRecord submitted = submitted(requested("a"));
        replay(requested("a"), submitted);
        partition.finishReplay();
        JobRecord late = completed(submitted);

        assertThat(partition.live(late, JobState.SUBMITTED, offset))
                .isEqualTo(new PartitionReplay.FinishedElsewhere(late.withoutInput()));
    }

    @Test
    void theEchoOfThisWorkersOwnResultChangesNothing() {
        partition.finishReplay();

        assertThat(partition.live(completed(submitted(requested("a"))), JobState.COMPLETED, 4))
                .isInstanceOf(PartitionReplay.Echo.class);
    }

    @Test
    void onlyRecordsThatCanChangeSomethingNeedTheirBodyRead() {
        partition.finishReplay();
        partition.finished(completed(submitted(requested("done"))), 5);

        assertThat(partition.settledByHeader("a", null, JobState.SUBMITTED, 9)).as("no header").isFalse();
        assertThat(partition.settledByHeader("new", JobState.REQUESTED, null, 9)).as("unknown job").isFalse();
        assertThat(partition.settledByHeader("a", JobState.REQUESTED, JobState.SUBMITTED, 9)).as("maybe a duplicate")
                .isFalse();
        assertThat(partition.settledByHeader("a", JobState.SUBMITTED, JobState.SUBMITTED, 9)).as("own echo").isTrue();
        assertThat(partition.settledByHeader("a", JobState.FAILED, JobState.SUBMITTED, 9)).as("late result").isFalse();
        assertThat(partition.settledByHeader("a", JobState.FAILED, JobState.FAILED, 9)).as("own result").isTrue();
        assertThat(partition.settledByHeader("done", JobState.COMPLETED, null, 9)).as("finished here").isTrue();
        assertThat(partition.live(requested("done"), null, 10)).as("the result's newest offset is kept")
                .isEqualTo(new PartitionReplay.MaybeDuplicate(requested("done"), 9, true));
    }

    @Test
    void finishedJobsAreForgottenOnceOlderThanTheDedupWindow() {
        partition.finishReplay();
        partition.finished(completed(submitted(requested("old"))), 1);
        partition.finished(completedAt(submitted(requested("new")), T.plus(Duration.ofDays(6))), 2);

        assertThat(partition.pruneFinishedBefore(T.plus(Duration.ofDays(3)))).isEqualTo(1);

        assertThat(partition.finishedCount()).isEqualTo(1);
        assertThat(partition.live(requested("old"), null, 3)).isEqualTo(new PartitionReplay.Adopt(requested("old"),
                false));
        assertThat(partition.live(requested("new"), null, 4)).isInstanceOf(PartitionReplay.MaybeDuplicate.class);
    }

    private void replay(JobRecord... records) {
        offset = ReplayRecords.replay(partition, offset, records);
    }
}
