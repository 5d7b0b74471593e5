package io.genworker.tracking;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.joblog.JobLog;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderFault;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.ProviderRouter;
import io.genworker.provider.VideoProvider;
import io.genworker.provider.segmind.SegmindProvider;
import io.genworker.publish.ResultCommitter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Drives the jobs of the job-log partitions this worker owns: REQUESTED -> SUBMITTING -> SUBMITTED -> COMPLETED |
 * FAILED, writing each transition to the job log before acting on the next step.
 * <p>
 * All state lives on one Vert.x context: the consumer thread and provider callbacks hand their work to it, so no
 * lock is needed, and every wait is a Vert.x timer, never a thread.
 */
@ApplicationScoped
public class JobTracker {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    private static final Duration WRITE_RETRY = Duration.ofSeconds(1);
    /** Event loops that carry the provider HTTP calls, so that their I/O does not load the tracker's own loop. */
    private static final int IO_LOOPS = 2;
    /** How soon a write held back by a stale ownership lease looks again. */
    private static final Duration LEASE_RETRY = Duration.ofMillis(200);
    private static final String KEPT_FAILING = "the provider kept failing until the job's deadline";

    private final Vertx vertx;
    private final JobLog jobLog;
    private final ResultCommitter committer;
    private final ProviderRouter providers;
    private final ProviderPauses pauses;
    private final OwnershipLease lease;
    private final WorkerMetrics metrics;
    private final WorkerConfig.Tracker config;
    private final WorkerConfig.Polling pollingConfig;
    private final WorkerConfig.Providers providersConfig;
    private final PollPolicy policy;
    private final Clock clock;

    private final Map<String, TrackedJob> active = new ConcurrentHashMap<>();
    private final Map<TopicPartition, OwnedPartition> owned = new HashMap<>();
    private final Map<String, ProviderGate> gates = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger replaying = new AtomicInteger();
    private volatile Context context;
    private Executor onContext;
    private final Executor[] ioLoops = new Executor[IO_LOOPS];
    private int nextIoLoop;

    public JobTracker(Vertx vertx, JobLog jobLog, ResultCommitter committer, ProviderRouter providers,
            ProviderPauses pauses, OwnershipLease lease, WorkerMetrics metrics, ModelCatalogue catalogue,
            WorkerConfig config, Clock clock) {
        this.vertx = vertx;
        this.jobLog = jobLog;
        this.committer = committer;
        this.providers = providers;
        this.pauses = pauses;
        this.lease = lease;
        this.metrics = metrics;
        this.config = config.tracker();
        this.pollingConfig = config.polling();
        this.providersConfig = config.providers();
        // One generator for the tracker's context, seeded per process: ThreadLocalRandom.current() captured here
        // would be used from another thread, where it starts from the same seed in every replica.
        this.policy = PollPolicy.from(config.polling(), catalogue, new SplittableRandom());
        this.clock = clock;
    }

    /** Creates the tracker's context; called once before the job-log consumer starts. */
    public void start() {
        context = vertx.getOrCreateContext();
        onContext = task -> context.runOnContext(ignored -> task.run());
        for (int i = 0; i < IO_LOOPS; i++) {
            // Called off any Vert.x thread, each call makes a new context on the next event loop.
            Context io = vertx.getOrCreateContext();
            ioLoops[i] = task -> io.runOnContext(ignored -> task.run());
        }
        metrics.inFlightGauges(inFlight::get, this::oldestAgeSeconds);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public boolean replaying() {
        return replaying.get() > 0;
    }

    // ---- called from the job-log consumer thread -------------------------------------------------------------

    public void assigned(Collection<TopicPartition> partitions) {
        awaitOnContext(() -> partitions.forEach(tp -> {
            owned.put(tp, new OwnedPartition());
            replaying.incrementAndGet();
        }));
    }

    /** Stops acting on the partitions' jobs; returns once no callback of theirs can write any more. */
    public void revoked(Collection<TopicPartition> partitions) {
        awaitOnContext(() -> partitions.forEach(this::drop));
    }

    public void records(List<ConsumerRecord<String, byte[]>> records) {
        onContext.execute(() -> records.forEach(this::apply));
    }

    /** The partition's replay reached the end offset captured at assignment: act on what it rebuilt. */
    public void replayed(TopicPartition partition) {
        onContext.execute(() -> finishReplay(partition));
    }

    private void awaitOnContext(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf(e, "tracker did not process a rebalance in time");
        }
    }

    // ---- replay and live records -----------------------------------------------------------------------------

    private void apply(ConsumerRecord<String, byte[]> raw) {
        TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
        OwnedPartition partition = owned.get(tp);
        if (partition == null || raw.value() == null) {
            return;
        }
        if (!partition.replaying && raw.key() != null && handledByState(partition, raw.key(),
                JobLog.stateOf(raw.headers()))) {
            return;
        }
        JobRecord record;
        try {
            record = jobLog.decode(raw.value());
        } catch (IOException e) {
            LOG.errorf("skipping unreadable job-log record %s-%d@%d: %s", raw.topic(), raw.partition(), raw.offset(),
                    e.getMessage());
            return;
        }
        if (partition.replaying) {
            JobRecord previous = partition.replayed.get(record.jobId());
            if (previous != null && previous.state() != JobState.REQUESTED && record.state() == JobState.REQUESTED
                    && !withdraws(previous, record)) {
                partition.needsReassert.add(record.jobId());
            } else if (previous != null && previous.state().isTerminal() && !record.state().isTerminal()) {
                // A finished job stays finished: a re-assertion or withdrawal that landed after the result
                // transaction (two producers, no order between them) must not bring it back to life.
                partition.needsReassert.add(record.jobId());
            } else {
                partition.replayed.put(record.jobId(), record);
                partition.needsReassert.remove(record.jobId());
            }
            return;
        }
        TrackedJob known = active.get(record.jobId());
        JobRecord finished = partition.finished.get(record.jobId());
        if (known == null && finished == null) {
            adopt(tp, partition, record, false);
        } else if (record.state() == JobState.REQUESTED) {
            if (record.submitAttempts() == 0) {
                duplicate(known, finished);
            }
            // With attempts, the tracker wrote it (a refused submission): an echo, not a new request.
        } else if (known != null && record.state().isTerminal() && !known.latestSent.state().isTerminal()) {
            // A previous owner finished this job after our replay boundary (its transaction committed late).
            known.record = record.withoutInput();
            cancelTimer(known);
            retire(known);
            known.dropped = true;
            if (known.slot != null) {
                known.slot.release();
            }
            giveUpProbe(known);
        }
        // Anything else is the echo of a transition this worker wrote.
    }

    /**
     * A REQUESTED the tracker wrote right after SUBMITTING attempt n (same attempt count): attempt n certainly never
     * reached the provider (refused, or its job was handed over before the call), so the job is back to REQUESTED.
     * A repeated request from intake carries no attempts and stays a duplicate.
     */
    private static boolean withdraws(JobRecord previous, JobRecord record) {
        return previous.state() == JobState.SUBMITTING && record.submitAttempts() > 0
                && record.submitAttempts() == previous.submitAttempts();
    }

    /**
     * Most live records are echoes of transitions this worker wrote: the state header is enough to recognise them,
     * without parsing the body. True when the record needs nothing more.
     */
    private boolean handledByState(OwnedPartition partition, String jobId, JobState state) {
        if (state == null) {
            return false;
        }
        TrackedJob known = active.get(jobId);
        JobRecord finished = partition.finished.get(jobId);
        if (known == null && finished == null) {
            return false;
        }
        if (state == JobState.REQUESTED) {
            // A repeated request, or the tracker's own withdrawal or refused submission: only the body's attempt
            // count tells them apart. They are rare, so they are parsed.
            return false;
        }
        // A terminal record for a job still running here came from a previous owner: its body matters.
        return !(state.isTerminal() && known != null && !known.latestSent.state().isTerminal());
    }

    /**
     * A repeated job id: no provider call. Its current state goes back to the head of the log so that compaction
     * cannot keep this REQUESTED as the job's last word.
     */
    private void duplicate(TrackedJob known, JobRecord finished) {
        metrics.duplicate();
        if (known != null) {
            reassert(known);
        } else {
            appendDetached(finished.reasserted(clock.instant()));
        }
    }

    /**
     * Writes the job's newest state again, beside its own transitions: it uses none of the job's timers (which hold
     * its next step), and a retry re-reads the newest state, so a late retry cannot put an older state back at the
     * head of the log. Nothing to do while the job waits in REQUESTED, or once its terminal record is being
     * committed with its result (that commit writes it).
     */
    private void reassert(TrackedJob job) {
        JobRecord latest = job.latestSent;
        if (job.dropped || latest.state() == JobState.REQUESTED || latest.state().isTerminal()) {
            return;
        }
        if (!lease.fresh()) {
            vertx.setTimer(LEASE_RETRY.toMillis(), id -> reassert(job));
            return;
        }
        jobLog.append(latest.reasserted(clock.instant()))
                .emitOn(onContext)
                .subscribe().with(ok -> {
                }, failure -> vertx.setTimer(WRITE_RETRY.toMillis(), id -> reassert(job)));
    }

    private void finishReplay(TopicPartition tp) {
        OwnedPartition partition = owned.get(tp);
        if (partition == null || !partition.replaying) {
            return;
        }
        partition.replaying = false;
        replaying.decrementAndGet();
        int resumed = 0;
        for (JobRecord record : partition.replayed.values()) {
            adopt(tp, partition, record, partition.needsReassert.contains(record.jobId()));
            resumed += record.state().isTerminal() ? 0 : 1;
        }
        LOG.infof("replayed %s: %d jobs, %d to resume", tp, partition.replayed.size(), resumed);
        partition.replayed.clear();
        partition.needsReassert.clear();
    }

    private void adopt(TopicPartition tp, OwnedPartition partition, JobRecord record, boolean reassert) {
        if (record.state().isTerminal()) {
            JobRecord kept = record.withoutInput();
            partition.finished.put(record.jobId(), kept);
            if (reassert) {
                appendDetached(kept.reasserted(clock.instant()));
            }
            return;
        }
        TrackedJob job = new TrackedJob(record, tp);
        active.put(job.id(), job);
        partition.active.add(job.id());
        inFlight.set(active.size());
        if (reassert) {
            write(job, record.reasserted(clock.instant()), () -> act(job));
        } else {
            act(job);
        }
    }

    private void drop(TopicPartition tp) {
        OwnedPartition partition = owned.remove(tp);
        if (partition == null) {
            return;
        }
        if (partition.replaying) {
            replaying.decrementAndGet();
        }
        for (String id : partition.active) {
            TrackedJob job = active.remove(id);
            if (job != null) {
                job.dropped = true;
                withdrawUnsentSubmission(job);
                cancelTimer(job);
                if (job.slot != null) {
                    job.slot.release();
                }
                giveUpProbe(job);
            }
        }
        inFlight.set(active.size());
        LOG.infof("revoked %s: %d jobs handed over", tp, partition.active.size());
    }

    /**
     * A job dropped while its SUBMITTING record is on its way, before the provider was called: without a word the
     * next owner would find it SUBMITTING and fail it as uncertain. The withdrawal follows the SUBMITTING record on
     * the same partition (sends keep their order) and lands before the hand-over ends (the consumer flushes).
     */
    private void withdrawUnsentSubmission(TrackedJob job) {
        if (job.latestSent.state() == JobState.SUBMITTING && !job.submissionSent) {
            LOG.infof("job %s handed over before its submission was sent: withdrawing it", job.id());
            appendDetached(job.latestSent.submitRefused(clock.instant()));
        }
    }

    // ---- the state machine -----------------------------------------------------------------------------------

    private void act(TrackedJob job) {
        switch (job.record.state()) {
            case REQUESTED -> submit(job);
            case SUBMITTING -> {
                if (config.resubmitUncertain()) {
                    LOG.warnf("job %s was interrupted while submitting; resubmitting as configured", job.id());
                    submit(job);
                } else {
                    fail(job, ErrorCode.SUBMIT_UNCERTAIN, "the submission was interrupted (worker crash or hand-over)"
                            + " and the provider may be running it; not sent again to avoid a second charge");
                }
            }
            case SUBMITTED -> schedule(job, Duration.ZERO, this::poll);
            default -> LOG.errorf("job %s in terminal state %s is not active", job.id(), job.record.state());
        }
    }

    private void submit(TrackedJob job) {
        Instant now = clock.instant();
        VideoProvider provider = providers.get(job.record.provider());
        if (!now.isBefore(job.record.deadline()) && !pauses.isPaused(provider.id())) {
            if (job.consecutiveErrors > 0) {
                failAfterErrors(job, KEPT_FAILING);
            } else {
                fail(job, ErrorCode.TIMEOUT, "deadline passed before the job could be submitted");
            }
            return;
        }
        if (!mayCall(job, provider, this::act)) {
            return;
        }
        job.submissionSent = false;
        withSlot(job, provider, "submit", slot -> write(job, job.record.submitting(clock.instant()),
                () -> sendSubmission(job, provider, slot)));
    }

    /**
     * The paid call, once SUBMITTING is in the log. The lease is checked again: the process may have stalled while
     * the write was in flight, and a new owner may already be driving the job.
     */
    private void sendSubmission(TrackedJob job, VideoProvider provider, ProviderGate.Slot slot) {
        if (job.dropped) {
            slot.release();
            return;
        }
        if (!lease.fresh()) {
            schedule(job, LEASE_RETRY, j -> sendSubmission(j, provider, slot));
            return;
        }
        JobRecord submitting = job.record;
        job.probingProvider = null;
        job.submissionSent = true;
        onIoLoop(() -> provider.submit(submitting))
                        .emitOn(onContext)
                        .subscribe().with(
                                submission -> {
                                    slot.release();
                                    if (job.dropped) {
                                        return;
                                    }
                                    pauses.accountAccepted(provider.id());
                                    metrics.submitted(job.record);
                                    job.consecutiveErrors = 0;
                                    write(job, job.record.submitted(submission.providerJobId(),
                                            submission.credits(), clock.instant()),
                                            () -> {
                                                job.lastSeenRunning = job.record.submittedAt();
                                                schedule(job, policy.nextPoll(job.record, 0, clock.instant()),
                                                        this::poll);
                                            });
                                },
                                failure -> {
                                    slot.release();
                                    onSubmitFailure(job,
                                            ProviderErrors.fromTransport(provider.id(), "submit", failure));
                                });
    }

    private void onSubmitFailure(TrackedJob job, ProviderCallException e) {
        noteAccount(job.record.provider(), e);
        if (job.dropped) {
            return;
        }
        switch (e.fault()) {
            case NOT_ACCEPTED -> retrySubmit(job, e, afterError(job, e));
            case PROVIDER_WIDE -> retrySubmit(job, e, waitForAccount(job.record.provider()));
            case AMBIGUOUS -> {
                if (config.resubmitUncertain()) {
                    retrySubmit(job, e, afterError(job, e));
                } else {
                    fail(job, ErrorCode.SUBMIT_UNCERTAIN, e.getMessage());
                }
            }
            case JOB_FATAL, EXPIRED -> fail(job, ErrorCode.PROVIDER_REJECTED, e.getMessage());
        }
    }

    private void retrySubmit(TrackedJob job, ProviderCallException e, Duration delay) {
        job.lastErrorRateLimited = e.rateLimited();
        if (retryAfterOutlastsDeadline(job, e)) {
            return;
        }
        if (e.retryAfter() != null) {
            metrics.retryAfterHonoured(job.record.provider());
        }
        write(job, job.record.submitRefused(clock.instant()),
                () -> schedule(job, PollPolicy.withinDeadline(job.record, delay, clock.instant()), this::act));
    }

    private void poll(TrackedJob job) {
        VideoProvider provider = providers.get(job.record.provider());
        if (!mayCall(job, provider, this::poll)) {
            return;
        }
        withSlot(job, provider, "poll", slot -> {
            job.polls++;
            job.pollSentAt = clock.instant();
            job.probingProvider = null;
            String providerJobId = job.record.providerJobId();
            onIoLoop(() -> provider.poll(providerJobId))
                    .emitOn(onContext)
                    .subscribe().with(
                            status -> {
                                slot.release();
                                onStatus(job, status);
                            },
                            failure -> {
                                slot.release();
                                onPollFailure(job, ProviderErrors.fromTransport(provider.id(), "poll", failure));
                            });
        });
    }

    /**
     * Starts a provider call on one of the I/O loops: the HTTP client then encodes, sends and decodes there, and only
     * the outcome comes back to the tracker's loop (callers emit on it). The tracker's loop was the bottleneck of
     * the end-to-end benchmark, with the HTTP client's work a large part of it.
     */
    private <T> Uni<T> onIoLoop(Supplier<Uni<T>> call) {
        nextIoLoop = (nextIoLoop + 1) % IO_LOOPS;
        Executor io = ioLoops[nextIoLoop];
        return Uni.createFrom().deferred(call::get).runSubscriptionOn(io);
    }

    /** Runs the call once the provider's gate lets it out; a job dropped meanwhile gives its turn away. */
    private void withSlot(TrackedJob job, VideoProvider provider, String operation,
            Consumer<ProviderGate.Slot> call) {
        gates.computeIfAbsent(provider.id(), this::gate)
                .acquire(operation, () -> job.dropped, slot -> {
                    if (job.dropped) {
                        slot.release();
                        giveUpProbe(job);
                        return;
                    }
                    job.slot = slot;
                    try {
                        call.accept(slot);
                    } catch (RuntimeException e) {
                        // Never leave a slot taken or a job without a next step.
                        LOG.errorf(e, "starting a %s call for job %s failed; trying again", operation, job.id());
                        slot.release();
                        schedule(job, WRITE_RETRY, this::act);
                    }
                });
    }

    private ProviderGate gate(String providerId) {
        WorkerConfig.Provider limits = providerConfig(providerId);
        return new ProviderGate(limits.maxConcurrentCalls(),
                ProviderGate.Permits.perSecond(providerId, limits.requestsPerSecond()),
                (nanos, task) -> vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)),
                        id -> task.run()),
                System::nanoTime,
                (operation, nanos) -> metrics.rateLimiterWait(providerId, operation, Duration.ofNanos(nanos)));
    }

    private WorkerConfig.Provider providerConfig(String id) {
        return SegmindProvider.ID.equals(id) ? providersConfig.segmind() : providersConfig.aimlapi();
    }

    private void onStatus(TrackedJob job, GenerationStatus status) {
        pauses.accountAccepted(job.record.provider());
        if (job.dropped) {
            return;
        }
        job.consecutiveErrors = 0;
        switch (status.phase()) {
            case COMPLETED -> {
                generationEnded(job);
                finish(job, job.record.completed(status.video(), status.credits(), job.polls, clock.instant()));
            }
            case FAILED -> fail(job, status.contentBlocked() ? ErrorCode.CONTENT_BLOCKED : ErrorCode.GENERATION_FAILED,
                    status.errorMessage());
            default -> {
                job.lastSeenRunning = job.pollSentAt;
                nextPollOrTimeout(job, policy.nextPoll(job.record, job.polls, clock.instant()));
            }
        }
    }

    private void onPollFailure(TrackedJob job, ProviderCallException e) {
        noteAccount(job.record.provider(), e);
        if (job.dropped) {
            return;
        }
        switch (e.fault()) {
            case NOT_ACCEPTED, AMBIGUOUS -> {
                job.lastErrorRateLimited = e.rateLimited();
                Duration delay = afterError(job, e);
                if (retryAfterOutlastsDeadline(job, e)) {
                    return;
                }
                if (e.retryAfter() != null) {
                    metrics.retryAfterHonoured(job.record.provider());
                }
                LOG.debugf("poll of job %s failed transiently: %s", job.id(), e.getMessage());
                nextPollOrTimeout(job, delay);
            }
            case PROVIDER_WIDE -> schedule(job, waitForAccount(job.record.provider()), this::poll);
            case EXPIRED -> fail(job, ErrorCode.RESULT_EXPIRED, e.getMessage());
            case JOB_FATAL -> fail(job, ErrorCode.PROVIDER_REJECTED, e.getMessage());
        }
    }

    /** Backoff after one more consecutive transient error, honouring Retry-After; never past the deadline. */
    private Duration afterError(TrackedJob job, ProviderCallException e) {
        return policy.afterError(job.record, ++job.consecutiveErrors, e.retryAfter(), clock.instant());
    }

    /**
     * The generation was seen finished: the policy learns how long it took (when this worker saw it running, or
     * submitted it), and the detection delay's upper bound is recorded.
     */
    private void generationEnded(TrackedJob job) {
        if (job.lastSeenRunning == null || job.pollSentAt == null) {
            return;
        }
        policy.generationEnded(job.record, job.lastSeenRunning, job.pollSentAt);
        metrics.detectionDelay(job.record.provider(), job.record.model(),
                Duration.between(job.lastSeenRunning, job.pollSentAt));
    }

    /**
     * Polls again after the delay (the policy keeps it within the deadline; the last poll happens at the deadline).
     * A job whose provider refuses the account waits for it and is not timed out meanwhile.
     */
    private void nextPollOrTimeout(TrackedJob job, Duration delay) {
        Instant now = clock.instant();
        if (!now.isBefore(job.record.deadline()) && !pauses.isPaused(job.record.provider())) {
            if (job.consecutiveErrors > 0) {
                failAfterErrors(job, KEPT_FAILING);
            } else {
                fail(job, ErrorCode.TIMEOUT, "the generation did not finish before the job's deadline");
            }
            return;
        }
        schedule(job, delay, this::poll);
    }

    /** The deadline passed while the provider kept refusing calls: say how, rather than a plain timeout. */
    private void failAfterErrors(TrackedJob job, String message) {
        fail(job, job.lastErrorRateLimited ? ErrorCode.RATE_LIMITED : ErrorCode.PROVIDER_UNAVAILABLE, message);
    }

    /**
     * A provider asking to be called again only after the job's deadline leaves no call that honours both: the job
     * ends now (and says so) instead of calling early at the deadline.
     */
    private boolean retryAfterOutlastsDeadline(TrackedJob job, ProviderCallException e) {
        if (e.retryAfter() == null || pauses.isPaused(job.record.provider())
                || clock.instant().plus(e.retryAfter()).isBefore(job.record.deadline())) {
            return false;
        }
        failAfterErrors(job, "the provider asked to wait " + e.retryAfter().toSeconds()
                + " s, past the job's deadline");
        return true;
    }

    /** Whether the job may call its provider now; if not, it is parked until the provider's next probe. */
    private boolean mayCall(TrackedJob job, VideoProvider provider, Consumer<TrackedJob> retry) {
        Instant now = clock.instant();
        if (!provider.configured()) {
            if (!pauses.isPaused(provider.id())) {
                LOG.warnf("no API key configured for provider %s: its jobs wait", provider.id());
            }
            pauses.accountRefused(provider.id(), "no API key configured", now);
            schedule(job, waitForAccount(provider.id()), retry);
            return false;
        }
        boolean paused = pauses.isPaused(provider.id());
        if (!pauses.mayCall(provider.id(), now)) {
            schedule(job, waitForAccount(provider.id()), retry);
            return false;
        }
        if (paused) {
            // This job carries the probe of a paused provider: if it never calls, the probe must be handed back.
            job.probingProvider = provider.id();
        }
        return true;
    }

    /** A job granted a paused provider's probe will not call after all: the next job may probe. */
    private void giveUpProbe(TrackedJob job) {
        if (job.probingProvider != null) {
            pauses.probeInconclusive(job.probingProvider, clock.instant());
            job.probingProvider = null;
        }
    }

    /** Spread over a second so that parked jobs do not all come back at the same instant. */
    private Duration waitForAccount(String provider) {
        return pauses.waitBeforeRetry(provider, clock.instant())
                .plusMillis(ThreadLocalRandom.current().nextLong(1000));
    }

    private void noteAccount(String provider, ProviderCallException e) {
        Instant now = clock.instant();
        if (e.fault() == ProviderFault.PROVIDER_WIDE) {
            if (!pauses.isPaused(provider)) {
                LOG.errorf("provider %s refuses the account, pausing its jobs: %s", provider, e.getMessage());
            }
            pauses.accountRefused(provider, e.getMessage(), now);
        } else if (e.fault() == ProviderFault.JOB_FATAL || e.fault() == ProviderFault.EXPIRED) {
            pauses.accountAccepted(provider);
        } else {
            pauses.probeInconclusive(provider, now);
        }
    }

    private void fail(TrackedJob job, ErrorCode code, String message) {
        finish(job, job.record.failed(JobError.of(code, message), job.polls, clock.instant()));
    }

    /** The result and the terminal record are committed in one transaction: never lost, never published twice. */
    private void finish(TrackedJob job, JobRecord terminal) {
        if (job.dropped) {
            return;
        }
        if (!lease.fresh()) {
            schedule(job, LEASE_RETRY, j -> finish(j, terminal));
            return;
        }
        JobRecord kept = terminal.withoutInput();
        job.latestSent = kept;
        committer.commit(kept)
                .emitOn(onContext)
                .subscribe().with(
                        committed -> {
                            if (!job.dropped) {
                                job.record = kept;
                                retire(job);
                            }
                        },
                        failure -> schedule(job, WRITE_RETRY, j -> finish(j, terminal)));
    }

    private void retire(TrackedJob job) {
        active.remove(job.id());
        OwnedPartition partition = owned.get(job.partition);
        if (partition != null) {
            partition.active.remove(job.id());
            partition.finished.put(job.id(), job.record);
        }
        inFlight.set(active.size());
        metrics.finished(job.record);
    }

    // ---- writing and waiting ---------------------------------------------------------------------------------

    /**
     * Writes a transition and only then runs the next step; a failed write is retried, never skipped. Nothing is
     * written while the ownership lease is stale (see {@link OwnershipLease}).
     */
    private void write(TrackedJob job, JobRecord next, Runnable then) {
        if (job.dropped) {
            return;
        }
        if (!lease.fresh()) {
            // Maybe no longer the owner: wait for the consumer to poll, which drops the job if it moved.
            schedule(job, LEASE_RETRY, j -> write(j, next, then));
            return;
        }
        job.latestSent = next;
        jobLog.append(next)
                .emitOn(onContext)
                .subscribe().with(
                        ok -> {
                            if (!job.dropped) {
                                job.record = next;
                                then.run();
                            }
                        },
                        failure -> {
                            LOG.warnf("job-log write for %s failed, retrying: %s", job.id(), failure.getMessage());
                            schedule(job, WRITE_RETRY, j -> write(j, next, then));
                        });
    }

    private void appendDetached(JobRecord record) {
        jobLog.append(record).onFailure().retry().withBackOff(WRITE_RETRY).atMost(10)
                .subscribe().with(ok -> {
                }, failure -> LOG.errorf("could not re-assert job %s: %s", record.jobId(), failure.getMessage()));
    }

    private void schedule(TrackedJob job, Duration delay, Consumer<TrackedJob> action) {
        cancelTimer(job);
        long millis = Math.max(1, delay.toMillis());
        job.timerId = vertx.setTimer(millis, id -> {
            job.timerId = -1;
            if (!job.dropped) {
                action.accept(job);
            }
        });
    }

    private void cancelTimer(TrackedJob job) {
        if (job.timerId >= 0) {
            vertx.cancelTimer(job.timerId);
            job.timerId = -1;
        }
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        // Read from the metrics thread; the map is concurrent so this walk is safe while the tracker works.
        return active.values().stream()
                .mapToDouble(j -> Duration.between(j.record.receivedAt(), now).toMillis() / 1000.0)
                .max().orElse(0);
    }
}
