package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.job.Video;

/** Record sequences in, decisions out: what a job-log partition's records mean to its new owner. */
class PartitionReplayTest {

    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    private final PartitionReplay partition = new PartitionReplay();

    @Test
    void aReplayAdoptsEachJobInItsNewestStateInFirstSeenOrder() {
        JobRecord a = requested("a");
        JobRecord b = requested("b");
        replay(a, b, a.submitting(T), a.submitting(T).submitted("p-a", null, T));

        assertThat(partition.finishReplay()).containsExactly(
                new PartitionReplay.Adopt(a.submitting(T).submitted("p-a", null, T), false),
                new PartitionReplay.Adopt(b, false));
        assertThat(partition.replaying()).isFalse();
    }

    @Test
    void aWithdrawnSubmissionIsAdoptedAsRequestedAndNotAsADuplicate() {
        JobRecord submitting = requested("a").submitting(T);
        replay(requested("a"), submitting, submitting.submitRefused(T));

        List<PartitionReplay.Adopt> adopted = partition.finishReplay();

        assertThat(adopted).hasSize(1);
        assertThat(adopted.get(0).record().state()).isEqualTo(JobState.REQUESTED);
        assertThat(adopted.get(0).record().submitAttempts()).isEqualTo(1);
        assertThat(adopted.get(0).reassert()).isFalse();
    }

    @Test
    void aRequestedAfterSubmittingIsAWithdrawalOnlyWithTheSameAttemptCount() {
        JobRecord submitting = requested("a").submitting(T);
        replay(requested("a"), submitting, requested("a"));
        assertThat(partition.finishReplay()).as("a repeated request from intake carries no attempts")
                .containsExactly(new PartitionReplay.Adopt(submitting, true));

        PartitionReplay other = new PartitionReplay();
        JobRecord second = submitting.submitRefused(T).submitting(T);
        other.replay(requested("a"));
        other.replay(submitting);
        other.replay(submitting.submitRefused(T));
        other.replay(second);
        other.replay(submitting.submitRefused(T));
        assertThat(other.finishReplay()).as("a withdrawal of attempt 1 does not withdraw attempt 2")
                .containsExactly(new PartitionReplay.Adopt(second, true));
    }

    @Test
    void aRepeatedRequestDuringTheReplayIsNotTheJobsNewStateAndIsReasserted() {
        JobRecord submitted = requested("a").submitting(T).submitted("p-a", null, T);
        replay(requested("a"), submitted, requested("a"));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Adopt(submitted, true));
    }

    @Test
    void aReassertionAfterTheRepeatedRequestLeavesNothingToReassert() {
        JobRecord submitted = requested("a").submitting(T).submitted("p-a", null, T);
        replay(requested("a"), submitted, requested("a"), submitted.reasserted(T.plusSeconds(1)));

        assertThat(partition.finishReplay()).singleElement()
                .satisfies(adopt -> assertThat(adopt.reassert()).isFalse());
    }

    @Test
    void aReassertionThatLandedAfterTheResultDoesNotBringTheJobBack() {
        JobRecord submitted = requested("a").submitting(T).submitted("p-a", null, T);
        JobRecord completed = completed(submitted);
        replay(requested("a"), submitted, completed, submitted.reasserted(T.plusSeconds(2)));

        assertThat(partition.finishReplay()).containsExactly(new PartitionReplay.Adopt(completed, true));
    }

    @Test
    void aNewJobReadLiveIsAdopted() {
        partition.finishReplay();

        assertThat(partition.live(requested("a"), null)).isEqualTo(new PartitionReplay.Adopt(requested("a"), false));
    }

    @Test
    void aRepeatedRequestForAJobInFlightIsADuplicate() {
        partition.finishReplay();
        partition.started("a");

        assertThat(partition.live(requested("a"), JobState.SUBMITTED)).isEqualTo(new PartitionReplay.Duplicate(null));
    }

    @Test
    void aRepeatedRequestForAFinishedJobIsADuplicateCarryingItsResult() {
        JobRecord completed = completed(requested("a").submitting(T).submitted("p-a", null, T));
        partition.finishReplay();
        partition.started("a");
        partition.finished(completed);

        assertThat(partition.live(requested("a"), null)).isEqualTo(new PartitionReplay.Duplicate(completed));
        assertThat(partition.active()).doesNotContain("a");
    }

    @Test
    void theTrackersOwnRefusedSubmissionIsAnEcho() {
        JobRecord submitting = requested("a").submitting(T);
        partition.finishReplay();

        assertThat(partition.live(submitting.submitRefused(T), JobState.REQUESTED))
                .isInstanceOf(PartitionReplay.Echo.class);
    }

    @Test
    void aPreviousOwnersLateResultFinishesAJobRunningHere() {
        JobRecord submitted = requested("a").submitting(T).submitted("p-a", null, T);
        replay(requested("a"), submitted);
        partition.finishReplay();
        JobRecord late = completed(submitted);

        PartitionReplay.Decision decision = partition.live(late, JobState.SUBMITTED);

        assertThat(decision).isEqualTo(new PartitionReplay.FinishedElsewhere(late.withoutInput()));
    }

    @Test
    void theEchoOfThisWorkersOwnResultChangesNothing() {
        JobRecord completed = completed(requested("a").submitting(T).submitted("p-a", null, T));
        partition.finishReplay();

        assertThat(partition.live(completed, JobState.COMPLETED)).isInstanceOf(PartitionReplay.Echo.class);
    }

    @Test
    void onlyRecordsThatCanChangeSomethingNeedTheirBodyRead() {
        partition.finishReplay();
        partition.finished(completed(requested("done").submitting(T).submitted("p", null, T)));

        assertThat(partition.needsBody("a", null, JobState.SUBMITTED)).as("no header").isTrue();
        assertThat(partition.needsBody("new", JobState.REQUESTED, null)).as("unknown job").isTrue();
        assertThat(partition.needsBody("a", JobState.REQUESTED, JobState.SUBMITTED)).as("maybe a duplicate").isTrue();
        assertThat(partition.needsBody("a", JobState.SUBMITTED, JobState.SUBMITTED)).as("own echo").isFalse();
        assertThat(partition.needsBody("a", JobState.FAILED, JobState.SUBMITTED)).as("late result").isTrue();
        assertThat(partition.needsBody("a", JobState.FAILED, JobState.FAILED)).as("own result").isFalse();
        assertThat(partition.needsBody("done", JobState.COMPLETED, null)).as("finished here").isFalse();
    }

    private void replay(JobRecord... records) {
        for (JobRecord record : records) {
            partition.replay(record);
        }
    }

    private static JobRecord requested(String id) {
        return JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video",
                JsonNodeFactory.instance.objectNode().put("prompt", "a cat"), null, T, T.plusSeconds(1200));
    }

    private static JobRecord completed(JobRecord submitted) {
        return submitted.completed(new Video("https://v/x.mp4", "video/mp4", "x.mp4", 1L), null, 2,
                T.plusSeconds(60));
    }
}
