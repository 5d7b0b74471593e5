package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.genworker.archive.ArchiveFailure;
import io.genworker.archive.ArchivePolicy;
import io.genworker.archive.Archiver;
import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.config.WorkerConfig.Archive.OnFailure;
import io.genworker.job.Cancellation;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.joblog.JobLogTransactions;
import io.genworker.job.Video;
import io.genworker.job.VideoArchive;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * One job through the driver, on virtual time, with a fake provider and a fake job log: what is written, in which
 * order, and which paid calls go out.
 */
class JobDriverTest {

    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(new ObjectMapper());
    private static final Executor DIRECT = Runnable::run;
    private static final Duration ACCOUNT_WAIT = Duration.ofMinutes(30);
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(45);
    private static final VideoArchive STORED = new VideoArchive("videos", "videos/job-1/x.mp4",
            "https://s3.test/videos/videos/job-1/x.mp4?X-Amz-Signature=s", "ab12", 1L);

    private final ManualTime time = new ManualTime(T);
    private final FakeProvider provider = new FakeProvider();
    private final List<JobRecord> appended = new ArrayList<>();
    private final List<JobRecord> committed = new ArrayList<>();
    private final List<CompletableFuture<Void>> unacknowledged = new ArrayList<>();
    private final List<TrackedJob> retired = new ArrayList<>();
    /** What the tracker answers when the driver asks to park a job waiting for its provider (default: no room). */
    private java.util.function.Predicate<TrackedJob> parking = job -> false;
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final ProviderPauses pauses = new ProviderPauses(Duration.ofSeconds(60), metrics);
    private final JobTimers timers = new JobTimers(time);
    private final FakeArchiver archiver = new FakeArchiver();
    private OnFailure onFailure = OnFailure.FAIL;
    private boolean leaseFresh = true;
    private boolean brokerAcknowledges = true;

    private final List<TrackedJob> settledWhileHandedOver = new ArrayList<>();
    /** Writes refused by the broker: another worker took the partition's transactional id over. */
    private boolean fenced;
    /** Stalls of the tracker's context seen so far (a frozen process, a long GC pause). */
    private long stalls;
    private final JobLogWriter writer = new JobLogWriter((tp, r) -> append(r), (tp, r) -> commit(r), () -> leaseFresh, timers, DIRECT,
            time, settledWhileHandedOver::add);
    private final ProviderAccess access = new ProviderAccess(id -> provider, pauses, metrics, time, time::nanos,
            new Executor[] { DIRECT }, time);

    @Test
    void aJobIsSubmittedOncePolledUntilDoneAndCommittedWithItsResult() {
        provider.polls(running(), completed());
        TrackedJob job = track(requested());

        driver(false).act(job);
        time.advance(Duration.ofSeconds(5));
        time.advance(Duration.ofSeconds(10));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTED);
        assertThat(provider.submits).isEqualTo(1);
        assertThat(provider.polls).isEqualTo(2);
        assertThat(states(committed)).containsExactly(JobState.COMPLETED);
        assertThat(committed.get(0).input()).as("the input stays in the log, not in the result").isNull();
        assertThat(retired).containsExactly(job);
    }

    @Test
    void aRateLimitedSubmissionGoesBackToRequestedAndIsSentAgainAfterTheBackoff() {
        provider.submissions(() -> refused(429), this::accepted);
        TrackedJob job = track(requested());

        driver(false).act(job);
        assertThat(provider.submits).isEqualTo(1);
        time.advance(Duration.ofSeconds(2));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.REQUESTED, JobState.SUBMITTING,
                JobState.SUBMITTED);
        assertThat(appended.get(1).submitAttempts()).isEqualTo(1);
        assertThat(provider.submits).isEqualTo(2);
    }

    @Test
    void anAmbiguousSubmissionFailsUncertainAndIsNeverSentAgain() {
        provider.submissions(() -> refused(504));
        TrackedJob job = track(requested());

        driver(false).act(job);
        time.advance(Duration.ofHours(1));

        assertThat(provider.submits).isEqualTo(1);
        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.SUBMIT_UNCERTAIN));
    }

    @Test
    void aStaleOwnershipLeaseHoldsBackEveryWriteUntilItIsFresh() {
        leaseFresh = false;
        TrackedJob job = track(requested());

        driver(false).act(job);
        time.advance(Duration.ofSeconds(5));
        assertThat(appended).isEmpty();
        assertThat(provider.submits).isZero();

        leaseFresh = true;
        time.advance(JobLogWriter.LEASE_RETRY);
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTED);
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aLeaseThatWentStaleWhileSubmittingWasWrittenHoldsThePaidCallBack() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        driver(false).act(job);
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING);

        leaseFresh = false;
        acknowledgeAll();
        time.advance(Duration.ofSeconds(3));
        assertThat(provider.submits).isZero();

        leaseFresh = true;
        time.advance(JobLogWriter.LEASE_RETRY);
        assertThat(states(appended)).as("SUBMITTING committed again before the late call")
                .containsExactly(JobState.SUBMITTING, JobState.SUBMITTING, JobState.SUBMITTED);
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aProcessResumedAfterAStallMakesNoPaidCallWhenItsSubmittingIsRefusedAsFenced() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        driver(false).act(job);
        leaseFresh = false;
        acknowledgeAll();
        time.advance(Duration.ofSeconds(25));

        // The new owner took the partition's transactional id over while this process was frozen.
        fenced = true;
        leaseFresh = true;
        time.advance(Duration.ofMinutes(1));

        assertThat(provider.submits).as("paid calls").isZero();
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTING);
    }

    @Test
    void aStallBetweenSendingSubmittingAndItsAcknowledgementMakesTheCallWaitForAFreshCommit() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        driver(false).act(job);
        // Frozen while the write was in flight: the acknowledgement comes back on resume, looking fresh.
        stalls++;
        fenced = true;
        acknowledgeAll();
        time.advance(Duration.ofMinutes(1));

        assertThat(provider.submits).as("paid calls").isZero();
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTING);
    }

    @Test
    void aSlowBrokerAloneCausesNoSecondSubmittingWrite() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        driver(false).act(job);
        time.advance(Duration.ofSeconds(5));
        acknowledgeAll();

        assertThat(provider.submits).isEqualTo(1);
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTED);
    }

    @Test
    void aJobHandedOverBeforeItsCallWentOutIsWithdrawnAndNeverSent() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);

        driver.handOver(job, true);
        acknowledgeAll();
        time.advance(Duration.ofMinutes(1));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.REQUESTED);
        assertThat(appended.get(1).submitAttempts()).as("same attempt: a withdrawal, not a new request")
                .isEqualTo(appended.get(0).submitAttempts());
        assertThat(provider.submits).isZero();
    }

    @Test
    void aJobWhosePartitionWasLostIsNotWithdrawnForTheNewOwnerMayHaveFinishedIt() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);

        driver.handOver(job, false);
        acknowledgeAll();
        time.advance(Duration.ofMinutes(1));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING);
        assertThat(provider.submits).isZero();
    }

    @Test
    void aJobHandedOverAfterItsCallWentOutIsNotWithdrawn() {
        CompletableFuture<Submission> answer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(answer));
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);

        driver.handOver(job, true);
        answer.complete(new Submission("p-late", null));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING);
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aJobWhoseCallIsOutWhenItsPartitionIsHandedOverWritesTheAnswerAndTakesNoNextStep() {
        CompletableFuture<Submission> answer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(answer));
        TrackedJob job = track(requested());
        driver(false).act(job);

        job.draining = true;
        answer.complete(new Submission("p-1", null));
        time.advance(Duration.ofMinutes(1));

        assertThat(states(appended)).as("the next owner finds it SUBMITTED and polls it")
                .containsExactly(JobState.SUBMITTING, JobState.SUBMITTED);
        assertThat(settledWhileHandedOver).containsExactly(job);
        assertThat(provider.polls).isZero();
    }

    @Test
    void aJobRefusedDuringAHandOverIsWithdrawnAndNotSentAgainHere() {
        CompletableFuture<Submission> answer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(answer));
        TrackedJob job = track(requested());
        driver(false).act(job);

        job.draining = true;
        answer.completeExceptionally(ProviderErrors.fromResponse("aimlapi", ProviderOperation.SUBMIT, 429, null,
                "{}", time.instant()));
        time.advance(Duration.ofMinutes(1));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.REQUESTED);
        assertThat(settledWhileHandedOver).containsExactly(job);
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aJobFoundSubmittingAfterAReplayFailsUncertainUnlessResubmittingIsConfigured() {
        TrackedJob interrupted = track(requested().submitting(T));
        driver(false).act(interrupted);
        assertThat(provider.submits).isZero();
        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.SUBMIT_UNCERTAIN));

        TrackedJob resubmitted = track(requested().submitting(T));
        driver(true).act(resubmitted);
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aPollThatFindsTheGenerationGoneEndsTheJobExpired() {
        provider.polls(() -> refusedPoll(404));
        TrackedJob job = track(requested().submitting(T).submitted("p-1", null, T));

        driver(false).act(job);
        time.advance(Duration.ofMillis(1));

        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.RESULT_EXPIRED));
    }

    @Test
    void jobsOfAProviderWithoutAKeyWaitWithoutFailingAndGoOnceItHasOne() {
        provider.configured = false;
        TrackedJob job = track(requested());
        driver(false).act(job);

        time.advance(Duration.ofMinutes(10));
        assertThat(provider.submits).isZero();
        assertThat(committed).isEmpty();
        assertThat(pauses.isPaused("aimlapi")).isTrue();

        provider.configured = true;
        pauses.accountAccepted("aimlapi");
        time.advance(Duration.ofSeconds(61));
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aJobWaitingForItsProvidersAccountStepsOutOfFlightWhenTheTrackerParksIt() {
        provider.configured = false;
        List<TrackedJob> parked = new ArrayList<>();
        parking = parked::add;
        TrackedJob job = track(requested());
        driver(false).act(job);

        time.advance(Duration.ofMinutes(10));

        assertThat(parked).as("parked once, then nothing of it runs here").containsExactly(job);
        assertThat(job.dropped).isTrue();
        provider.configured = true;
        pauses.accountAccepted("aimlapi");
        time.advance(Duration.ofMinutes(1));
        assertThat(provider.submits).as("submitted only once read back and adopted anew").isZero();
        assertThat(committed).isEmpty();
    }

    @Test
    void aJobTheTrackerCannotParkWaitsForItsProviderInFlight() {
        provider.configured = false;
        List<TrackedJob> asked = new ArrayList<>();
        parking = j -> {
            asked.add(j);
            return false;
        };
        TrackedJob job = track(requested());
        driver(false).act(job);

        time.advance(Duration.ofMinutes(10));
        assertThat(asked).as("asked on every turn").hasSizeGreaterThan(1);
        assertThat(job.dropped).isFalse();

        provider.configured = true;
        pauses.accountAccepted("aimlapi");
        time.advance(Duration.ofSeconds(61));
        assertThat(provider.submits).isEqualTo(1);
    }

    @Test
    void aJobWaitingForAnAccountThatNeverComesBackFailsAccountRefusedAndIsNeverSent() {
        provider.configured = false;
        TrackedJob job = track(requested());
        driver(false).act(job);

        time.advance(Duration.ofMinutes(20).plus(ACCOUNT_WAIT).minusMinutes(2));
        assertThat(committed).as("within the wait").isEmpty();
        time.advance(Duration.ofMinutes(4));

        assertThat(provider.submits).isZero();
        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.ACCOUNT_REFUSED));
    }

    @Test
    void aSubmittedJobWhoseProviderKeepsRefusingTheAccountFailsAccountRefusedToo() {
        provider.polls(() -> refusedPoll(401));
        TrackedJob job = track(requested().submitting(T).submitted("p-1", null, T));
        driver(false).act(job);

        time.advance(Duration.ofMinutes(20).plus(ACCOUNT_WAIT).plusMinutes(3));

        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.ACCOUNT_REFUSED));
    }

    @Test
    void theDeadlineEndsAJobTheProviderKeptRateLimitingAsRateLimited() {
        provider.submissions(() -> refused(429));
        TrackedJob job = track(JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video", input(), null, T,
                T.plusSeconds(30)));

        driver(false).act(job);
        time.advance(Duration.ofMinutes(2));

        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.RATE_LIMITED));
        assertThat(provider.submits).isGreaterThan(1);
    }

    @Test
    void aJobWhoseDeadlinePassedWhileItWaitedForAProviderSlotIsNotSubmitted() {
        provider.settings = limitedTo(1);
        CompletableFuture<Submission> slowAnswer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(slowAnswer), this::accepted);
        JobDriver driver = driver(false);
        driver.act(track(requested()));
        TrackedJob waiting = track(JobRecord.requested("job-2", "aimlapi", "pixverse/v5/text-to-video", input(),
                null, T, T.plusSeconds(30)));
        driver.act(waiting);

        time.advance(Duration.ofMinutes(1));
        slowAnswer.complete(new Submission("p-1", null));

        assertThat(provider.submits).isEqualTo(1);
        assertThat(committed).singleElement().satisfies(failed -> {
            assertThat(failed.jobId()).isEqualTo("job-2");
            assertThat(failed.error().code()).isEqualTo(ErrorCode.TIMEOUT);
        });
        assertThat(appended).extracting(JobRecord::jobId).doesNotContain("job-2");
    }

    @Test
    void aJobHandedOverDuringItsCallGivesItsSlotToTheNextJob() {
        provider.settings = limitedTo(1);
        provider.submissions(() -> Uni.createFrom().completionStage(new CompletableFuture<>()), this::accepted);
        JobDriver driver = driver(false);
        TrackedJob first = track(requested());
        driver.act(first);
        driver.act(track(JobRecord.requested("job-2", "aimlapi", "pixverse/v5/text-to-video", input(), null, T,
                T.plusSeconds(1200))));
        assertThat(provider.submits).isEqualTo(1);

        driver.handOver(first, true);

        assertThat(provider.submits).isEqualTo(2);
    }

    @Test
    void aJobHandedOverWithAPausedProvidersProbeHandsTheProbeBack() {
        pauses.accountRefused("aimlapi", "HTTP 401", T);
        time.advance(Duration.ofSeconds(61));
        brokerAcknowledges = false;
        JobDriver driver = driver(false);
        TrackedJob prober = track(requested());
        driver.act(prober);
        assertThat(prober.probingProvider).isEqualTo("aimlapi");

        driver.handOver(prober, true);
        acknowledgeAll();
        driver.act(track(JobRecord.requested("job-2", "aimlapi", "pixverse/v5/text-to-video", input(), null, T,
                T.plusSeconds(1200))));
        time.advance(Duration.ofSeconds(62));

        assertThat(provider.submits).as("the next job probed").isEqualTo(1);
    }

    @Test
    void aJobAPreviousOwnerFinishedIsRetiredAndNeverPolledAgain() {
        TrackedJob job = track(requested().submitting(T).submitted("p-1", null, T));
        JobDriver driver = driver(false);
        driver.act(job);
        JobRecord theirs = job.record.completed(new Video("https://v/y.mp4", "video/mp4", "y.mp4", 2L), null, 3,
                T.plusSeconds(1));

        driver.finishedElsewhere(job, theirs);
        time.advance(Duration.ofMinutes(5));

        assertThat(retired).containsExactly(job);
        assertThat(job.record).isEqualTo(theirs);
        assertThat(provider.polls).isZero();
        assertThat(committed).as("the previous owner published the result").isEmpty();
    }

    @Test
    void anAnswerEndsTheErrorStreakSoALaterDeadlineIsAPlainTimeout() {
        provider.polls(() -> refusedPoll(500), running());
        TrackedJob job = track(JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video", input(), null, T,
                T.plusSeconds(30)).submitting(T).submitted("p-1", null, T));

        driver(false).act(job);
        time.advance(Duration.ofMinutes(1));

        assertThat(provider.polls).isGreaterThan(2);
        assertThat(committed).singleElement().satisfies(
                failed -> assertThat(failed.error().code()).isEqualTo(ErrorCode.TIMEOUT));
    }

    // ---- archiving --------------------------------------------------------------------------------------------

    @Test
    void aFinishedVideoIsRecordedAsArchivingBeforeItsCopyStartsAndCompletesWithTheCopy() {
        archiver.enabled = true;
        provider.polls(completed());
        TrackedJob job = track(requested());

        driver(false).act(job);
        time.advance(Duration.ofSeconds(5));

        assertThat(states(appended)).containsExactly(JobState.SUBMITTING, JobState.SUBMITTED, JobState.ARCHIVING);
        assertThat(archiver.copied).singleElement().satisfies(copied -> {
            assertThat(copied.state()).isEqualTo(JobState.ARCHIVING);
            assertThat(copied.video().url()).isEqualTo("https://v/x.mp4");
        });
        assertThat(committed).singleElement().satisfies(done -> {
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.video().url()).as("the provider's URL is kept").isEqualTo("https://v/x.mp4");
            assertThat(done.video().archive()).isEqualTo(STORED);
        });
    }

    @Test
    void anInterruptedCopyIsTriedAgainAfterABackoffAndNotSubmittedAgain() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().failure(new ArchiveFailure(true, "download: INTERRUPTED: reset")),
                () -> Uni.createFrom().item(STORED));
        provider.polls(completed());
        TrackedJob job = track(requested());

        driver(false).act(job);
        time.advance(Duration.ofSeconds(5));
        assertThat(committed).isEmpty();
        time.advance(Duration.ofSeconds(30));

        assertThat(archiver.copied).hasSize(2);
        assertThat(provider.submits).isEqualTo(1);
        assertThat(committed).singleElement().satisfies(done -> assertThat(done.video().archive()).isEqualTo(STORED));
    }

    @Test
    void anExpiredUrlFailsTheJobWithArchiveFailedAndKeepsTheProviderUrlInTheResult() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().failure(new ArchiveFailure(false, "download: EXPIRED: 404")));
        provider.polls(completed());

        driver(false).act(track(requested()));
        time.advance(Duration.ofSeconds(5));

        assertThat(archiver.copied).hasSize(1);
        assertThat(committed).singleElement().satisfies(failed -> {
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.error().code()).isEqualTo(ErrorCode.ARCHIVE_FAILED);
            assertThat(failed.error().message()).contains("EXPIRED");
            assertThat(failed.video().url()).isEqualTo("https://v/x.mp4");
        });
    }

    @Test
    void aCopyThatTimedOutButWasStoredAfterAllCompletesWithIt() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().failure(new ArchiveFailure(false,
                "the copy did not finish within its time bound")));
        archiver.stored = STORED;
        provider.polls(completed());

        driver(false).act(track(requested()));
        time.advance(Duration.ofSeconds(5));

        assertThat(committed).singleElement().satisfies(done -> {
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.video().archive()).isEqualTo(STORED);
        });
    }

    @Test
    void setToCompleteAFailedCopyEndsCompletedWithTheProviderUrlAndTheArchiveError() {
        archiver.enabled = true;
        onFailure = OnFailure.COMPLETE;
        archiver.script(() -> Uni.createFrom().failure(new ArchiveFailure(false, "download: EXPIRED: 403")));
        provider.polls(completed());

        driver(false).act(track(requested()));
        time.advance(Duration.ofSeconds(5));

        assertThat(committed).singleElement().satisfies(done -> {
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.error()).isNull();
            assertThat(done.video().archive()).isNull();
            assertThat(done.video().archiveError().code()).isEqualTo(ErrorCode.ARCHIVE_FAILED);
        });
    }

    @Test
    void storageDownIsWaitedForUntilTheCopysTimeBoundThenTheJobFails() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().failure(new ArchiveFailure(true, "storage: connection refused")));
        provider.polls(completed());

        driver(false).act(track(requested()));
        time.advance(Duration.ofSeconds(5));
        time.advance(COPY_TIMEOUT.minusMinutes(1));
        assertThat(committed).as("still waiting for the storage").isEmpty();
        time.advance(Duration.ofMinutes(2));

        assertThat(archiver.copied.size()).isGreaterThan(10);
        assertThat(committed).singleElement().satisfies(failed -> {
            assertThat(failed.error().code()).isEqualTo(ErrorCode.ARCHIVE_FAILED);
            assertThat(failed.error().message()).contains("time bound").contains("connection refused");
        });
    }

    @Test
    void aJobFoundArchivingOnReplayIsCopiedAgainWithoutAnotherProviderCall() {
        archiver.enabled = true;
        JobRecord archiving = archivingJob();

        driver(false).act(track(archiving));

        assertThat(provider.submits).isZero();
        assertThat(provider.polls).isZero();
        assertThat(archiver.copied).singleElement().isEqualTo(archiving);
        assertThat(committed).singleElement().satisfies(done -> assertThat(done.video().archive()).isEqualTo(STORED));
    }

    @Test
    void aJobFoundArchivingAfterArchivingWasSwitchedOffCompletesWithTheProvidersUrl() {
        JobRecord archiving = archivingJob();

        driver(false).act(track(archiving));

        assertThat(archiver.copied).isEmpty();
        assertThat(committed).singleElement().satisfies(done -> {
            assertThat(done.state()).isEqualTo(JobState.COMPLETED);
            assertThat(done.video().url()).isEqualTo("https://v/x.mp4");
            assertThat(done.video().archiveError().message()).contains("archiving is off");
        });
    }

    @Test
    void aJobHandedOverMidCopyCancelsItsTransferAndWritesNothingMore() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().nothing());
        JobRecord archiving = archivingJob();
        TrackedJob job = track(archiving);
        JobDriver driver = driver(false);
        driver.act(job);

        driver.handOver(job, true);

        assertThat(archiver.cancelled).isEqualTo(1);
        assertThat(appended).isEmpty();
        assertThat(committed).isEmpty();
    }

    // ---- cancelling -------------------------------------------------------------------------------------------

    private static final Cancellation ASKED = Cancellation.requested(T, "not needed", "ops@example");

    @Test
    void aJobCancelledBeforeItsSubmissionIsNeverSubmitted() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);
        assertThat(states(appended)).as("SUBMITTING on its way, the call waits for it").containsExactly(
                JobState.SUBMITTING);

        driver.cancel(job, ASKED);
        acknowledgeAll();
        time.advance(Duration.ofMinutes(5));

        assertThat(provider.submits).isZero();
        assertThat(committed).singleElement().satisfies(cancelled -> {
            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.cancellation().outcome()).isEqualTo(Cancellation.Outcome.NOT_SUBMITTED);
            assertThat(cancelled.cancellation().reason()).isEqualTo("not needed");
            assertThat(cancelled.cancellation().requestedBy()).isEqualTo("ops@example");
        });
        assertThat(retired).containsExactly(job);
    }

    @Test
    void aSubmittedJobCancelledStopsPollingAndSaysItMayStillBeBilled() {
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);
        time.advance(Duration.ofSeconds(6));
        int pollsBefore = provider.polls;

        driver.cancel(job, ASKED);
        time.advance(Duration.ofMinutes(10));

        assertThat(provider.polls).as("no poll after the cancel").isEqualTo(pollsBefore);
        assertThat(committed).singleElement().satisfies(cancelled -> {
            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.providerJobId()).isEqualTo("p-1");
            assertThat(cancelled.cancellation().outcome()).isEqualTo(Cancellation.Outcome.MAY_BE_BILLED);
        });
    }

    @Test
    void aCancelWhileTheSubmissionIsOutWaitsForItsAnswerAndKeepsTheProvidersJobId() {
        CompletableFuture<Submission> answer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(answer));
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);
        assertThat(provider.submits).isEqualTo(1);

        driver.cancel(job, ASKED);
        assertThat(committed).as("the answer says whether the provider took it").isEmpty();
        answer.complete(new Submission("p-late", 2.0));
        time.advance(Duration.ofMinutes(10));

        assertThat(provider.polls).isZero();
        assertThat(states(appended)).containsExactly(JobState.SUBMITTING);
        assertThat(committed).singleElement().satisfies(cancelled -> {
            assertThat(cancelled.providerJobId()).isEqualTo("p-late");
            assertThat(cancelled.cancellation().outcome()).isEqualTo(Cancellation.Outcome.MAY_BE_BILLED);
        });
    }

    @Test
    void aCancelWhileARefusedSubmissionIsOutBillsNothing() {
        CompletableFuture<Submission> answer = new CompletableFuture<>();
        provider.submissions(() -> Uni.createFrom().completionStage(answer));
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);

        driver.cancel(job, ASKED);
        answer.completeExceptionally(ProviderErrors.fromResponse("aimlapi", ProviderOperation.SUBMIT, 429, null, "{}",
                time.instant()));
        time.advance(Duration.ofMinutes(10));

        assertThat(provider.submits).isEqualTo(1);
        assertThat(committed).singleElement().satisfies(cancelled -> assertThat(cancelled.cancellation().outcome())
                .isEqualTo(Cancellation.Outcome.NOT_SUBMITTED));
    }

    @Test
    void aCancelDuringTheCopyStopsItAndKeepsTheProvidersVideo() {
        archiver.enabled = true;
        archiver.script(() -> Uni.createFrom().nothing());
        TrackedJob job = track(archivingJob());
        JobDriver driver = driver(false);
        driver.act(job);

        driver.cancel(job, ASKED);
        time.advance(Duration.ofHours(1));

        assertThat(archiver.cancelled).isEqualTo(1);
        assertThat(committed).singleElement().satisfies(cancelled -> {
            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.video().url()).isEqualTo("https://v/x.mp4");
            assertThat(cancelled.cancellation().outcome()).isEqualTo(Cancellation.Outcome.BILLED);
        });
    }

    @Test
    void aJobAdoptedWithACancelEndsCancelledWithoutACall() {
        // A SUBMITTING found on replay (the previous owner may have sent it) and a request whose cancel came first.
        TrackedJob submitting = track(requested().submitting(T));
        submitting.cancel = ASKED;
        TrackedJob neverRequested = track(JobRecord.requested("job-2", "aimlapi", "pixverse/v5/text-to-video",
                input(), null, T, T.plusSeconds(1200)));
        neverRequested.cancel = ASKED;
        JobDriver driver = driver(false);

        driver.act(submitting);
        driver.act(neverRequested);
        time.advance(Duration.ofMinutes(10));

        assertThat(provider.submits + provider.polls).isZero();
        assertThat(committed).extracting(r -> r.cancellation().outcome()).containsExactly(
                Cancellation.Outcome.MAY_BE_BILLED, Cancellation.Outcome.NOT_SUBMITTED);
        assertThat(committed.get(0).error()).as("not failed SUBMIT_UNCERTAIN: cancelled").isNull();
    }

    @Test
    void aWriteThatFailsAfterTheCancelNeverDisplacesTheCancelledCommit() {
        brokerAcknowledges = false;
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);
        leaseFresh = false;
        driver.cancel(job, ASKED);
        failUnacknowledged(new RuntimeException("broker unreachable"));
        leaseFresh = true;
        time.advance(Duration.ofSeconds(5));

        assertThat(committed).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(JobState.CANCELLED));
        assertThat(retired).containsExactly(job);
        assertThat(provider.submits).isZero();
    }

    @Test
    void aCancelWhileTheResultWaitsForTheLeaseChangesNothing() {
        provider.polls(completed());
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        driver.act(job);
        leaseFresh = false;
        time.advance(Duration.ofSeconds(6));

        driver.cancel(job, ASKED);
        leaseFresh = true;
        time.advance(Duration.ofSeconds(5));

        assertThat(committed).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void aSecondCancelChangesNothing() {
        TrackedJob job = track(requested());
        JobDriver driver = driver(false);
        brokerAcknowledges = false;
        driver.act(job);

        driver.cancel(job, ASKED);
        driver.cancel(job, Cancellation.requested(T, "again", null));
        acknowledgeAll();

        assertThat(committed).singleElement().satisfies(c -> assertThat(c.cancellation().reason())
                .isEqualTo("not needed"));
    }

    // ---- the fakes --------------------------------------------------------------------------------------------

    private JobDriver driver(boolean resubmitUncertain) {
        PollPolicy polls = PollPolicy.fixed(CATALOGUE, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(7));
        return new JobDriver(access, writer, timers, polls,
                new FailurePolicy(polls, resubmitUncertain, ACCOUNT_WAIT), metrics, DIRECT, time, retired::add,
                job -> parking.test(job), () -> stalls, archiver,
                new ArchivePolicy(COPY_TIMEOUT, Duration.ofSeconds(2), Duration.ofSeconds(30), onFailure,
                        new SplittableRandom(3)));
    }

    /** Appends in log order: the offset of a record is its place among the appended ones. */
    private Uni<Long> append(JobRecord record) {
        appended.add(record);
        long offset = appended.size() - 1;
        if (fenced) {
            return Uni.createFrom().failure(JobLogTransactions.notOwnedFailure(new TopicPartition("generation.jobs", 0)));
        }
        if (brokerAcknowledges) {
            return Uni.createFrom().item(offset);
        }
        CompletableFuture<Void> ack = new CompletableFuture<>();
        unacknowledged.add(ack);
        return Uni.createFrom().completionStage(ack).replaceWith(offset);
    }

    private Uni<Long> commit(JobRecord terminal) {
        committed.add(terminal);
        return Uni.createFrom().item(-1L);
    }

    private void failUnacknowledged(RuntimeException failure) {
        settleUnacknowledged(ack -> ack.completeExceptionally(failure));
    }

    private void acknowledgeAll() {
        settleUnacknowledged(ack -> ack.complete(null));
    }

    /** From now on the broker answers at once; the writes it held are answered so. */
    private void settleUnacknowledged(java.util.function.Consumer<CompletableFuture<Void>> answer) {
        brokerAcknowledges = true;
        List<CompletableFuture<Void>> acks = new ArrayList<>(unacknowledged);
        unacknowledged.clear();
        acks.forEach(answer);
    }

    private static TrackedJob track(JobRecord record) {
        return new TrackedJob(record, new TopicPartition("generation.jobs", 0));
    }

    /** A job the provider finished, written ARCHIVING: what a replay finds after a crash mid-copy. */
    private static JobRecord archivingJob() {
        return requested().submitting(T).submitted("p-1", null, T)
                .archiving(new Video("https://v/x.mp4", "video/mp4", "x.mp4", 1L), null, 4, T);
    }

    private static JobRecord requested() {
        return JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video", input(), null, T,
                T.plusSeconds(1200));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode input() {
        return JsonNodeFactory.instance.objectNode().put("prompt", "a cat");
    }

    private static List<JobState> states(List<JobRecord> records) {
        return records.stream().map(JobRecord::state).toList();
    }

    private Uni<Submission> accepted() {
        return Uni.createFrom().item(new Submission("p-" + provider.submits, null));
    }

    private Uni<Submission> refused(int status) {
        return Uni.createFrom().failure(ProviderErrors.fromResponse("aimlapi", ProviderOperation.SUBMIT, status,
                null, "{}", time.instant()));
    }

    private Uni<GenerationStatus> refusedPoll(int status) {
        return Uni.createFrom().failure(ProviderErrors.fromResponse("aimlapi", ProviderOperation.POLL, status,
                null, "{}", time.instant()));
    }

    private static Supplier<Uni<GenerationStatus>> running() {
        return () -> Uni.createFrom().item(new GenerationStatus(GenerationStatus.Phase.RUNNING, null, null, false,
                null, "generating"));
    }

    private static Supplier<Uni<GenerationStatus>> completed() {
        return () -> Uni.createFrom().item(new GenerationStatus(GenerationStatus.Phase.COMPLETED,
                new Video("https://v/x.mp4", "video/mp4", "x.mp4", 1L), null, false, null, "completed"));
    }

    /** The stub settings, but at most this many calls in flight. */
    private static WorkerConfig.Provider limitedTo(int calls) {
        WorkerConfig.Provider stub = new StubWorkerConfig().providers().aimlapi();
        return (WorkerConfig.Provider) java.lang.reflect.Proxy.newProxyInstance(
                WorkerConfig.Provider.class.getClassLoader(), new Class<?>[] { WorkerConfig.Provider.class },
                (proxy, method, args) -> method.getName().equals("maxConcurrentCalls") ? calls
                        : method.invoke(stub, args));
    }

    /** Copies from a script, then the last outcome again (stored by default); counts copies and cancellations. */
    private static final class FakeArchiver implements Archiver {

        private final ArrayDeque<Supplier<Uni<VideoArchive>>> outcomes = new ArrayDeque<>();
        final List<JobRecord> copied = new ArrayList<>();
        boolean enabled;
        int cancelled;

        @SafeVarargs
        final void script(Supplier<Uni<VideoArchive>>... script) {
            outcomes.addAll(List.of(script));
        }

        @Override
        public boolean enabled() {
            return enabled;
        }

        /** What a last look in the bucket finds before a job gives up (default: nothing). */
        VideoArchive stored;

        @Override
        public Uni<VideoArchive> findCopy(JobRecord job) {
            return Uni.createFrom().item(stored);
        }

        @Override
        public Uni<VideoArchive> copy(JobRecord job) {
            copied.add(job);
            Supplier<Uni<VideoArchive>> next = outcomes.size() > 1 ? outcomes.poll() : outcomes.peek();
            return (next == null ? Uni.createFrom().item(STORED) : next.get())
                    .onCancellation().invoke(() -> cancelled++);
        }
    }

    /** Answers from a script, then the last answer again (accepted, running by default). */
    private final class FakeProvider implements VideoProvider {

        private final ArrayDeque<Supplier<Uni<Submission>>> submissions = new ArrayDeque<>();
        private final ArrayDeque<Supplier<Uni<GenerationStatus>>> statuses = new ArrayDeque<>();
        WorkerConfig.Provider settings = new StubWorkerConfig().providers().aimlapi();
        int submits;
        int polls;
        boolean configured = true;

        @SafeVarargs
        final void submissions(Supplier<Uni<Submission>>... script) {
            submissions.addAll(List.of(script));
        }

        @SafeVarargs
        final void polls(Supplier<Uni<GenerationStatus>>... script) {
            statuses.addAll(List.of(script));
        }

        @Override
        public String id() {
            return "aimlapi";
        }

        @Override
        public WorkerConfig.Provider settings() {
            return settings;
        }

        @Override
        public boolean configured() {
            return configured;
        }

        @Override
        public Uni<Submission> submit(JobRecord job) {
            submits++;
            Supplier<Uni<Submission>> next = submissions.size() > 1 ? submissions.poll() : submissions.peek();
            return next == null ? accepted() : next.get();
        }

        @Override
        public Uni<GenerationStatus> poll(String providerJobId) {
            polls++;
            Supplier<Uni<GenerationStatus>> next = statuses.size() > 1 ? statuses.poll() : statuses.peek();
            return next == null ? running().get() : next.get();
        }
    }
}
