package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.genworker.archive.ArchivePolicy;
import io.genworker.archive.Archiver;
import io.genworker.job.Cancellation;
import io.genworker.job.Deadlines;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.polling.Ending;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.VideoProvider;

/**
 * Moves one job at a time through its state machine: REQUESTED -> SUBMITTING -> SUBMITTED -> COMPLETED | FAILED,
 * with ARCHIVING between SUBMITTED and COMPLETED when finished videos are copied into object storage.
 * It submits and polls through {@link ProviderAccess}, writes each transition through {@link JobLogWriter} before
 * the next step, reacts to failures as {@link FailurePolicy} decides, and waits only on the job's timer. Runs on
 * the tracker's context.
 */
final class JobDriver {

    private static final Logger LOG = Logger.getLogger(JobDriver.class);
    /** How old a SUBMITTING record may be when its paid call goes out before it is committed again. */
    static final Duration SUBMITTING_PROOF = Duration.ofSeconds(1);

    /** Told when a job's terminal record and result are committed. */
    interface Retirement {
        void retire(TrackedJob job);
    }

    /**
     * Asked to take a job that waits for its provider's account out of flight (kept by offset, read back when the
     * provider may be called); returns whether it did. A job not taken waits in flight on its timer.
     */
    interface Parking {
        boolean park(TrackedJob job);
    }

    private final ProviderAccess providers;
    private final JobLogWriter writer;
    private final JobTimers timers;
    private final FailurePolicy failures;
    private final PollPolicy polls;
    private final WorkerMetrics metrics;
    private final Executor onContext;
    private final Clock clock;
    private final Retirement retirement;
    private final Parking parking;
    /** Stalls of the tracker's context so far ({@link StallWatch}). */
    private final LongSupplier stalls;
    private final Archiver archiver;
    private final ArchiveStep copying;

    JobDriver(ProviderAccess providers, JobLogWriter writer, JobTimers timers, PollPolicy polls,
            FailurePolicy failures, WorkerMetrics metrics, Executor onContext, Clock clock, Retirement retirement,
            Parking parking, LongSupplier stalls, Archiver archiver, ArchivePolicy archiving) {
        this.archiver = archiver;
        this.copying = new ArchiveStep(archiver, archiving, writer, timers, onContext, clock, this::finish);
        this.parking = parking;
        this.stalls = stalls;
        this.providers = providers;
        this.writer = writer;
        this.timers = timers;
        this.failures = failures;
        this.polls = polls;
        this.metrics = metrics;
        this.onContext = onContext;
        this.clock = clock;
        this.retirement = retirement;
    }

    /** Takes the job's next step from the state it is in. */
    void act(TrackedJob job) {
        if (job.cancel != null) {
            // Adopted with a cancel command not carried out yet (a replay, a parked job, an id never requested).
            endCancelled(job, outcomeNow(job), job.latestSent);
            return;
        }
        switch (job.record.state()) {
            case REQUESTED -> submit(job);
            case REFUSED -> finish(job, JobRecord.refused(job.id(), job.record.provider(), job.record.model(),
                    job.record.metadata(), job.record.error(), clock.instant()).withTrace(job.record.trace()));
            case SUBMITTING -> {
                if (failures.resubmitsInterrupted()) {
                    LOG.warnf("job %s was interrupted while submitting; resubmitting as configured", job.id());
                    job.maybeSentBefore = true;
                    submit(job);
                } else {
                    fail(job, ErrorCode.SUBMIT_UNCERTAIN, "the submission was interrupted (worker crash or hand-over)"
                            + " and the provider may be running it; not sent again to avoid a second charge");
                }
            }
            case SUBMITTED -> timers.schedule(job, Duration.ZERO, this::poll);
            case ARCHIVING -> copying.start(job);
            default -> LOG.errorf("job %s in terminal state %s is not active", job.id(), job.record.state());
        }
    }

    // ---- cancelling -------------------------------------------------------------------------------------------

    /**
     * Carries out a cancel command for a job driven here. Its next step is stopped at once (a timer, a slot it waits
     * for, a write's next step, a copy), and its CANCELLED record and result are committed after whatever it wrote
     * last, with what the provider may still bill: nothing, if no submission went out; may be billed, if one did
     * (neither provider has a cancel call, so polling just stops); billed, if the video was being copied. Only a
     * submission out and unanswered is waited for: its answer says whether the provider took it, and under which id.
     * A job whose terminal record is already on its way keeps it (the caller sees to that).
     */
    void cancel(TrackedJob job, Cancellation asked) {
        if (job.cancel != null || job.ending || job.finishing) {
            return;
        }
        job.cancel = asked;
        if (!job.submissionOut) {
            endCancelled(job, outcomeNow(job), job.latestSent);
        }
    }

    /** What a cancellation now saves, from the newest state sent (its write may still be on its way). */
    private static Cancellation.Outcome outcomeNow(TrackedJob job) {
        return switch (job.latestSent.state()) {
            case SUBMITTING -> job.submissionSent || job.maybeSentBefore ? Cancellation.Outcome.MAY_BE_BILLED
                    : Cancellation.Outcome.NOT_SUBMITTED;
            case SUBMITTED -> Cancellation.Outcome.MAY_BE_BILLED;
            case ARCHIVING -> Cancellation.Outcome.BILLED;
            default -> Cancellation.Outcome.NOT_SUBMITTED;
        };
    }

    private void endCancelled(TrackedJob job, Cancellation.Outcome outcome, JobRecord from) {
        job.ending = true;
        stop(job);
        LOG.infof("job %s cancelled in %s: %s", job.id(), from.state(), outcome);
        metrics.cancelRequest("applied");
        writer.commitTerminal(job, from.cancelled(job.cancel.ended(outcome), job.polls, clock.instant()),
                retirement::retire);
    }

    /** A cancellation that waited for the submission's answer: the provider took it, under this id. */
    private boolean cancelledAfterSubmission(TrackedJob job, String providerJobId, Double credits) {
        if (job.cancel == null) {
            return false;
        }
        endCancelled(job, Cancellation.Outcome.MAY_BE_BILLED,
                job.record.submitted(providerJobId, credits, clock.instant()));
        return true;
    }

    /**
     * A cancellation that waited for the submission's answer, which was a failure: a refusal that certainly left
     * nothing at the provider (a retry or an account wait would follow) bills nothing; any other may have.
     */
    private boolean cancelledAfterFailedSubmission(TrackedJob job, Reaction reaction) {
        if (job.cancel == null) {
            return false;
        }
        boolean notTaken = reaction instanceof Reaction.Retry || reaction instanceof Reaction.WaitForAccount
                || reaction instanceof Reaction.Fail f && (f.code() == ErrorCode.PROVIDER_REJECTED
                        || f.code() == ErrorCode.CONTENT_BLOCKED || f.code() == ErrorCode.INVALID_REQUEST);
        endCancelled(job, notTaken ? Cancellation.Outcome.NOT_SUBMITTED : Cancellation.Outcome.MAY_BE_BILLED,
                job.record);
        return true;
    }

    /**
     * The job's partition moved: every pending step of it does nothing from now on. In an orderly hand-over, a
     * submission whose SUBMITTING record is on its way but whose call has not gone out is withdrawn: without a word the next owner would find
     * it SUBMITTING and fail it as uncertain. The withdrawal follows the SUBMITTING record on the same partition
     * (sends keep their order) and lands before the hand-over ends ({@link JobTracker#revoked} flushes).
     */
    void handOver(TrackedJob job, boolean orderly) {
        job.dropped = true;
        // Only while the partition is still ours: after it was lost, the new owner may have finished the job, and a
        // withdrawal landing after its result would bring it back.
        if (orderly && job.latestSent.state() == JobState.SUBMITTING && !job.submissionSent) {
            LOG.infof("job %s handed over before its submission was sent: withdrawing it", job.id());
            writer.appendDetached(job.partition, job.latestSent.submitRefused(clock.instant()));
        }
        stop(job);
    }

    /** A previous owner's result for this job landed after the replay: it is finished, nothing more to do here. */
    void finishedElsewhere(TrackedJob job, JobRecord terminal) {
        job.record = terminal;
        retirement.retire(job);
        job.dropped = true;
        stop(job);
    }

    private void stop(TrackedJob job) {
        timers.cancel(job);
        if (job.transfer != null) {
            // Aborts the multipart upload: the next owner copies again, to the same key.
            job.transfer.cancel();
            job.transfer = null;
        }
        if (job.slot != null) {
            job.slot.release();
        }
        providers.giveUpProbe(job);
    }

    // ---- submitting -------------------------------------------------------------------------------------------

    private void submit(TrackedJob job) {
        VideoProvider provider = providers.provider(job.record.provider());
        if (expired(job, ProviderOperation.SUBMIT) || heldBack(job, provider, ProviderOperation.SUBMIT, this::act)) {
            return;
        }
        job.submissionSent = false;
        providers.withSlot(job, provider, ProviderOperation.SUBMIT, slot -> {
            // The queue for a slot can be long: a job whose deadline passed meanwhile is not paid for.
            if (expired(job, ProviderOperation.SUBMIT)) {
                slot.release();
                return;
            }
            long stallsAtSend = stalls.getAsLong();
            writer.write(job, job.record.submitting(clock.instant()),
                    () -> sendWhileOwned(job, provider, slot, clock.instant(), stallsAtSend));
        }, () -> retryLater(job));
    }

    /**
     * The paid call follows its SUBMITTING record at once, unless the ownership lease holds it back. If the
     * process stalled since the record was sent ({@link StallWatch}), or the call was held for longer than
     * {@link #SUBMITTING_PROOF} after the record landed, SUBMITTING is committed once more first: a resumed process
     * can believe its lease fresh for a moment after a freeze (a heartbeat is sent on resume), and a worker that
     * lost the partition meanwhile has that write refused by the broker (fenced), so it never calls. A slow broker
     * alone causes no second write: the age is counted from the acknowledgement.
     */
    private void sendWhileOwned(TrackedJob job, VideoProvider provider, ProviderGates.Slot slot, Instant logged,
            long stallsAtSend) {
        writer.whenOwned(job, j -> {
            if (expired(j, ProviderOperation.SUBMIT)) {
                slot.release();
                return;
            }
            if (stalls.getAsLong() != stallsAtSend
                    || Duration.between(logged, clock.instant()).compareTo(SUBMITTING_PROOF) > 0) {
                long stallsNow = stalls.getAsLong();
                writer.write(j, j.record.reasserted(clock.instant()),
                        () -> sendWhileOwned(j, provider, slot, clock.instant(), stallsNow));
            } else {
                sendSubmission(j, provider, slot);
            }
        });
    }

    /**
     * The paid call, once SUBMITTING is in the log. The lease is checked again (by the writer's guard): the process
     * may have stalled while the write was in flight, and a new owner may already be driving the job.
     */
    private void sendSubmission(TrackedJob job, VideoProvider provider, ProviderGates.Slot slot) {
        JobRecord submitting = job.record;
        job.probingProvider = null;
        job.submissionSent = true;
        job.submissionOut = true;
        providers.call(() -> provider.submit(submitting))
                .emitOn(onContext)
                .subscribe().with(
                        submission -> {
                            slot.release();
                            job.submissionOut = false;
                            if (job.dropped) {
                                return;
                            }
                            if (cancelledAfterSubmission(job, submission.providerJobId(), submission.credits())) {
                                providers.accountAccepted(provider.id());
                                metrics.submitted(job.record);
                                return;
                            }
                            providers.accountAccepted(provider.id());
                            metrics.submitted(job.record);
                            job.streak = ErrorStreak.NONE;
                            writer.write(job, job.record.submitted(submission.providerJobId(), submission.credits(),
                                    clock.instant()), () -> {
                                        job.lastSeenRunning = job.record.submittedAt();
                                        timers.schedule(job, polls.nextPoll(job.record, 0, clock.instant()),
                                                this::poll);
                                    });
                        },
                        failure -> {
                            slot.release();
                            job.submissionOut = false;
                            onFailure(job, ProviderOperation.SUBMIT,
                                    ProviderErrors.fromTransport(provider.id(), ProviderOperation.SUBMIT, failure));
                        });
    }

    // ---- polling ----------------------------------------------------------------------------------------------

    private void poll(TrackedJob job) {
        VideoProvider provider = providers.provider(job.record.provider());
        if (heldBack(job, provider, ProviderOperation.POLL, this::poll)) {
            return;
        }
        providers.withSlot(job, provider, ProviderOperation.POLL, slot -> {
            job.polls++;
            job.pollSentAt = clock.instant();
            job.probingProvider = null;
            String providerJobId = job.record.providerJobId();
            providers.call(() -> provider.poll(providerJobId))
                    .emitOn(onContext)
                    .subscribe().with(
                            status -> {
                                slot.release();
                                onStatus(job, status);
                            },
                            failure -> {
                                slot.release();
                                onFailure(job, ProviderOperation.POLL,
                                        ProviderErrors.fromTransport(provider.id(), ProviderOperation.POLL, failure));
                            });
        }, () -> retryLater(job));
    }

    private void onStatus(TrackedJob job, GenerationStatus status) {
        providers.accountAccepted(job.record.provider());
        if (job.stopped()) {
            return;
        }
        job.streak = ErrorStreak.NONE;
        switch (status.phase()) {
            case COMPLETED -> {
                generationEnded(job, Ending.SUCCEEDED);
                if (archiver.enabled() && status.video() != null && status.video().url() != null) {
                    // Written before the copy starts: a worker that dies mid-copy is replaced by one that copies again.
                    writer.write(job, job.record.archiving(status.video(), status.credits(), job.polls,
                            clock.instant()), () -> copying.start(job));
                } else {
                    finish(job, job.record.completed(status.video(), status.credits(), job.polls, clock.instant()));
                }
            }
            case FAILED -> {
                // Failures are learned too: they end within seconds, and the next jobs' first polls should see them.
                generationEnded(job, Ending.FAILED);
                fail(job, status.contentBlocked() ? ErrorCode.CONTENT_BLOCKED : ErrorCode.GENERATION_FAILED,
                        status.errorMessage());
            }
            default -> {
                job.lastSeenRunning = job.pollSentAt;
                pollAfter(job, polls.nextPoll(job.record, job.polls, clock.instant()));
            }
        }
    }

    /**
     * The generation was seen finished, done or failed: the policy learns how long it took (when this worker saw it
     * running, or submitted it), and the detection delay's upper bound is recorded.
     */
    private void generationEnded(TrackedJob job, Ending ending) {
        if (job.lastSeenRunning == null || job.pollSentAt == null) {
            return;
        }
        polls.generationEnded(job.record, job.lastSeenRunning, job.pollSentAt, ending);
        metrics.detectionDelay(job.record.provider(), job.record.model(),
                Duration.between(job.lastSeenRunning, job.pollSentAt));
    }

    /** Polls again after the delay, unless the deadline has ended the job (the last poll happens at it). */
    private void pollAfter(TrackedJob job, Duration delay) {
        if (!expired(job, ProviderOperation.POLL)) {
            timers.schedule(job, delay, this::poll);
        }
    }

    // ---- failures ---------------------------------------------------------------------------------------------

    private void onFailure(TrackedJob job, ProviderOperation operation, ProviderCallException e) {
        String provider = job.record.provider();
        providers.noteFailure(provider, e);
        if (job.stopped()) {
            return;
        }
        Reaction reaction = failures.afterFailure(operation, e, job.record, job.streak, providers.isPaused(provider),
                clock.instant());
        if (operation == ProviderOperation.SUBMIT && cancelledAfterFailedSubmission(job, reaction)) {
            return;
        }
        if (reaction instanceof Reaction.Fail f) {
            fail(job, f.code(), f.message());
        } else if (reaction instanceof Reaction.Retry retry) {
            job.streak = retry.streak();
            if (retry.honoursRetryAfter()) {
                metrics.retryAfterHonoured(provider);
            }
            if (operation == ProviderOperation.SUBMIT) {
                refused(job, retry.delay());
            } else {
                LOG.debugf("poll of job %s failed transiently: %s", job.id(), e.getMessage());
                pollAfter(job, retry.delay());
            }
        } else if (reaction instanceof Reaction.WaitForAccount wait) {
            job.streak = wait.streak();
            Duration delay = providers.waitForAccount(provider);
            if (operation == ProviderOperation.SUBMIT) {
                // Submitted again only after the wait, where the deadline and the account wait are checked.
                refused(job, delay);
            } else if (!expired(job, operation)) {
                // This job may be the paused provider's probe, which never parks: its wait is bounded here.
                timers.schedule(job, delay, this::poll);
            }
        }
    }

    /** The provider certainly did not take the submission: back to REQUESTED, submitted again after the delay. */
    private void refused(TrackedJob job, Duration delay) {
        writer.write(job, job.record.submitRefused(clock.instant()),
                () -> timers.schedule(job, Deadlines.within(job.record, delay, clock.instant()), this::act));
    }

    /** Whether the deadline ended the job before its next call (it then fails). */
    private boolean expired(TrackedJob job, ProviderOperation operation) {
        Optional<Reaction.Fail> end = failures.expired(operation, job.record, job.streak,
                providers.isPaused(job.record.provider()), clock.instant());
        end.ifPresent(f -> fail(job, f.code(), f.message()));
        return end.isPresent();
    }

    /**
     * Whether the job must wait for its provider's account; it then asks again later (a job not submitted yet out
     * of flight, see {@link Parking}), unless it has waited as long as a job may (it then fails).
     */
    private boolean heldBack(TrackedJob job, VideoProvider provider, ProviderOperation operation,
            Consumer<TrackedJob> retry) {
        Optional<Duration> wait = providers.holdBack(job, provider);
        if (wait.isPresent() && !expired(job, operation)) {
            if (operation == ProviderOperation.SUBMIT && parking.park(job)) {
                job.dropped = true;
                stop(job);
            } else {
                timers.schedule(job, wait.get(), retry);
            }
        }
        return wait.isPresent();
    }

    private void retryLater(TrackedJob job) {
        timers.schedule(job, JobLogWriter.WRITE_RETRY, this::act);
    }

    // ---- the end ----------------------------------------------------------------------------------------------

    private void fail(TrackedJob job, ErrorCode code, String message) {
        finish(job, job.record.failed(JobError.of(code, message), job.polls, clock.instant()));
    }

    private void finish(TrackedJob job, JobRecord terminal) {
        if (job.ending) {
            // Cancelled meanwhile: its CANCELLED record is the one terminal record it gets.
            return;
        }
        writer.commitTerminal(job, terminal, retirement::retire);
    }
}
