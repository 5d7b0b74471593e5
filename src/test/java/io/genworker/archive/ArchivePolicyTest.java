package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig.Archive.OnFailure;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.job.Video;

class ArchivePolicyTest {

    private static final Instant ENDED = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration BOUND = Duration.ofMinutes(45);
    private static final JobRecord ARCHIVING = JobRecord.requested("job-1", "segmind", "m", null, null,
            ENDED.minusSeconds(90), ENDED.plusSeconds(60)).submitting(ENDED.minusSeconds(89))
            .submitted("r-1", null, ENDED.minusSeconds(88))
            .archiving(new Video("https://cdn.segmind.test/o.mp4", "video/mp4", "o.mp4", 10L), 3.0, 5, ENDED);

    private final ArchivePolicy failing = policy(OnFailure.FAIL);

    @Test
    void theCopysTimeCountsFromTheGenerationsEndNotFromTheJobsDeadline() {
        JobRecord reasserted = ARCHIVING.reasserted(ENDED.plusSeconds(600));

        assertThat(failing.timeLeft(ARCHIVING, ENDED.plusSeconds(60))).isEqualTo(BOUND.minusSeconds(60));
        assertThat(failing.timeLeft(reasserted, ENDED.plusSeconds(60)))
                .as("a record written again keeps the clock").isEqualTo(BOUND.minusSeconds(60));
    }

    @Test
    void aRetryableFailureIsTriedAgainWithGrowingDelaysInsideTheBound() {
        ArchiveFailure reset = new ArchiveFailure(true, "download: INTERRUPTED: reset");

        ArchivePolicy.Next first = failing.afterFailure(ARCHIVING, reset, 1, ENDED);
        ArchivePolicy.Next tenth = failing.afterFailure(ARCHIVING, reset, 10, ENDED);

        assertThat(first).isInstanceOfSatisfying(ArchivePolicy.Retry.class,
                retry -> assertThat(retry.delay()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertThat(tenth).isInstanceOfSatisfying(ArchivePolicy.Retry.class,
                retry -> assertThat(retry.delay()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    @Test
    void aRetryableFailureNearTheBoundEndsTheJobWithTheLastFailure() {
        ArchivePolicy.Next next = failing.afterFailure(ARCHIVING, new ArchiveFailure(true, "storage: refused"), 10,
                ENDED.plus(BOUND).minusSeconds(5));

        assertThat(next).isInstanceOfSatisfying(ArchivePolicy.GiveUp.class, giveUp -> {
            assertThat(giveUp.terminal().error().code()).isEqualTo(ErrorCode.ARCHIVE_FAILED);
            assertThat(giveUp.terminal().error().message()).contains("time bound").contains("storage: refused");
        });
    }

    @Test
    void aPermanentFailureEndsTheJobAtOnceKeepingTheProvidersVideoAndCredits() {
        ArchivePolicy.Next next = failing.afterFailure(ARCHIVING, new ArchiveFailure(false, "download: EXPIRED: 404"),
                1, ENDED.plusSeconds(1));

        assertThat(next).isInstanceOfSatisfying(ArchivePolicy.GiveUp.class, giveUp -> {
            JobRecord failed = giveUp.terminal();
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.error().retryable()).isTrue();
            assertThat(failed.video().url()).isEqualTo("https://cdn.segmind.test/o.mp4");
            assertThat(failed.credits()).isEqualTo(3.0);
            assertThat(failed.finishedAt()).as("when the job ended, not the generation").isEqualTo(
                    ENDED.plusSeconds(1));
        });
    }

    @Test
    void setToCompleteAFailedCopyCompletesWithTheErrorOnTheVideo() {
        JobRecord done = policy(OnFailure.COMPLETE).givenUp(ARCHIVING, "download: EXPIRED: 404", ENDED);

        assertThat(done.state()).isEqualTo(JobState.COMPLETED);
        assertThat(done.error()).isNull();
        assertThat(done.video().archiveError().message()).contains("EXPIRED");
    }

    private static ArchivePolicy policy(OnFailure onFailure) {
        return new ArchivePolicy(BOUND, Duration.ofSeconds(2), Duration.ofMinutes(1), onFailure,
                new SplittableRandom(1));
    }
}
