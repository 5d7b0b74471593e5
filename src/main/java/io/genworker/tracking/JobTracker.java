package io.genworker.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import io.genworker.archive.ArchivePolicy;
import io.genworker.archive.Archiver;
import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.Cancellation;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.joblog.JobLog;
import io.genworker.joblog.JobLogListener;
import io.genworker.joblog.JobLogReader;
import io.genworker.joblog.JobLogTransactions;
import io.genworker.joblog.OwnershipLease;
import io.genworker.joblog.RecordSchema;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.ProviderRouter;
import io.genworker.publish.ResultPublisher;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The front of the tracker: takes the job-log consumer's calls (assignments, records, replay ends, revocations)
 * onto one Vert.x context, where all tracking state lives, so nothing needs a lock and every wait is a timer. There
 * it carries out what each partition's {@link PartitionReplay} decides, adopting jobs into the {@link JobDriver},
 * dropping them on hand-over and retiring them once finished; it also exposes the in-flight gauges.
 */
@ApplicationScoped
public class JobTracker implements JobLogListener {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    /** How often finished jobs older than the dedup window are forgotten. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    /** Event loops that carry the provider HTTP calls, so that their I/O does not load the tracker's own loop. */
    private static final int IO_LOOPS = 2;
    /** How often parked jobs are looked at besides when a job finishes (a read that failed, a partition drained). */
    private static final Duration UNPARK_EVERY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final JobLog jobLog;
    private final JobLogTransactions transactions;
    private final ResultPublisher results;
    private final ProviderRouter router;
    private final ProviderPauses pauses;
    private final OwnershipLease lease;
    private final WorkerMetrics metrics;
    private final JobLogReader reader;
    private final WorkerConfig.Tracker config;
    private final Duration handOverWait;
    private final Duration dedupWindow;
    private final Duration maxAccountWait;
    private final PollPolicy policy;
    private final Clock clock;

    private final Map<String, TrackedJob> active = new ConcurrentHashMap<>();
    private final OwnedPartitions owned;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Records handed over by the consumer and not applied yet; of those, how many may start a job. */
    private final AtomicInteger pendingRecords = new AtomicInteger();
    private final AtomicInteger pendingStarts = new AtomicInteger();
    private volatile TrackerContext context;
    private Executor onContext;
    private HandOver handOver;
    private JobLogWriter writer;
    private JobDriver driver;
    private FinishedJobCheck finishedJobs;
    private ParkedJobs parked;
    private final Archiver archiver;
    private final ArchivePolicy archivePolicy;

    public JobTracker(Vertx vertx, JobLog jobLog, JobLogTransactions transactions, ResultPublisher results,
            ProviderRouter router,
            ProviderPauses pauses, OwnershipLease lease, WorkerMetrics metrics, ModelCatalogue catalogue,
            JobLogReader reader, WorkerConfig config, Clock clock, Archiver archiver) {
        this.archiver = archiver;
        this.archivePolicy = ArchivePolicy.from(config.archive(), new SplittableRandom());
        this.vertx = vertx;
        this.jobLog = jobLog;
        this.transactions = transactions;
        this.results = results;
        this.router = router;
        this.pauses = pauses;
        this.lease = lease;
        this.metrics = metrics;
        this.reader = reader;
        this.config = config.tracker();
        this.owned = new OwnedPartitions(config.topics().dedupWindow(),
                new ReplayRoom(() -> this.config.maxInFlight() - inFlight.get() - parked.reading()), pauses::isPaused);
        this.handOverWait = config.tracker().handOverWait();
        this.dedupWindow = config.topics().dedupWindow();
        this.maxAccountWait = config.jobs().maxAccountWait();
        // One generator for the tracker's context, seeded per process: ThreadLocalRandom.current() captured here
        // would be used from another thread, where it starts from the same seed in every replica.
        this.policy = PollPolicy.from(config.polling(), catalogue, new SplittableRandom());
        this.clock = clock;
    }

    /** Creates the tracker's context and its collaborators; called once before the job-log consumer starts. */
    public void start() {
        context = TrackerContext.create(vertx, IO_LOOPS);
        onContext = context.executor();
        JobTimers timers = new JobTimers(context.timers());
        ProviderAccess providers = new ProviderAccess(router::get, pauses, metrics, context.gateTimers(),
                System::nanoTime, context.ioLoops(), clock);
        writer = new JobLogWriter(this::append, this::commitWithResult, lease::fresh, timers, onContext, clock,
                job -> handOver.settled(job));
        StallWatch stalls = new StallWatch(config.sessionTimeout().dividedBy(2));
        context.periodic(StallWatch.TICK, () -> stalls.tick(System.nanoTime()));
        driver = new JobDriver(providers, writer, timers, policy,
                new FailurePolicy(policy, config.resubmitUncertain(), maxAccountWait), metrics, onContext, clock,
                this::retire, this::parkUntilProviderCallable, stalls::stalls, archiver, archivePolicy);
        handOver = new HandOver(job -> letGo(job, true));
        finishedJobs = new FinishedJobCheck(reader, writer, timers, metrics, onContext, clock);
        metrics.inFlightGauges(inFlight::get, this::oldestAgeSeconds);
        metrics.rememberedGauge(owned::remembered);
        for (RecordSchema.Reason reason : RecordSchema.Reason.values()) {
            metrics.heldPartitionsGauge(reason.tag(), () -> owned.heldFor(reason));
        }
        context.periodic(PRUNE_EVERY, () -> owned.forgetOld(clock.instant()));
        parked = new ParkedJobs(reader, owned, () -> config.maxInFlight() - inFlight.get() - owned.heldInReplays(),
                onContext, this::adopt, writer, clock, pauses, maxAccountWait);
        context.periodic(UNPARK_EVERY, parked::tick);
        metrics.parkedGauge(owned::parked);
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /** Unfinished jobs kept by offset only (see {@link ParkedJobs}); safe from any thread. */
    public int parked() {
        return owned.parked();
    }

    public boolean replaying() {
        return owned.replaying();
    }

    /** The partitions held at a record this worker does not understand; safe from any thread. */
    public Collection<HeldPartition> held() {
        return owned.held();
    }

    // ---- called from the job-log consumer thread -------------------------------------------------------------

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        context.await(() -> partitions.forEach(tp -> {
            owned.assigned(tp);
        }));
    }

    /**
     * Stops acting on the partitions' jobs, except that a submission already sent is given up to
     * `worker.tracker.hand-over-wait` to be answered and its outcome written (so that the next owner polls it
     * rather than failing it SUBMIT_UNCERTAIN). The consumer then lets what was sent for them commit
     * ({@link JobLogTransactions#close}) before the partitions move, so that the next owner's replay sees it.
     */
    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        List<CompletableFuture<Void>> finished = new ArrayList<>(1);
        context.await(() -> {
            partitions.forEach(tp -> drop(tp, true));
            if (handOver.finishing() > 0) {
                LOG.infof("handing over: waiting for %d submissions to be answered", handOver.finishing());
            }
            finished.add(handOver.awaited());
        });
        try {
            finished.get(0).get(handOverWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("hand-over: submissions still unanswered after %s are left to the next owner", handOverWait);
        }
        context.await(handOver::giveUp);
    }

    /** The partitions may belong to another worker already: nothing more is written for their jobs. */
    @Override
    public void lost(Collection<TopicPartition> partitions) {
        context.await(() -> partitions.forEach(tp -> drop(tp, false)));
    }

    /** A transition, in a transaction of the partition's owner (the records are built on the partition's thread). */
    private Uni<Long> append(TopicPartition tp, JobRecord record) {
        return transactions.send(tp, () -> List.of(jobLog.record(record, tp.partition())));
    }

    /** A terminal record and its result event, in one transaction: never one without the other. */
    private Uni<Long> commitWithResult(TopicPartition tp, JobRecord terminal) {
        return transactions.send(tp, () -> List.of(results.record(terminal), jobLog.record(terminal, tp.partition())));
    }

    @Override
    public void records(List<ConsumerRecord<String, byte[]>> records) {
        int starts = (int) records.stream().filter(r -> JobLog.mayStartAJob(r.headers())).count();
        pendingRecords.addAndGet(records.size());
        pendingStarts.addAndGet(starts);
        onContext.execute(() -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                try {
                    apply(record);
                } catch (RuntimeException e) {
                    // One record must not cost the rest of the batch, nor leave the counts above wrong.
                    LOG.errorf(e, "applying job-log record %s-%d@%d failed", record.topic(), record.partition(),
                            record.offset());
                }
                // After apply: a job it started is in flight by now, so the count never dips below the truth.
                pendingRecords.decrementAndGet();
                if (JobLog.mayStartAJob(record.headers())) {
                    pendingStarts.decrementAndGet();
                }
            }
        });
    }

    @Override
    public int newJobsWelcome() {
        // Parked jobs came first: new ones wait in Kafka until those are in flight. Jobs parked for a paused provider
        // wait for the provider, not for a place: counted here, they would hold back every other provider's jobs.
        return config.maxInFlight() - inFlight.get() - pendingStarts.get() - owned.parkedReady()
                - owned.heldInReplays();
    }

    @Override
    public int pendingRecords() {
        return pendingRecords.get();
    }

    /** The partition's replay reached the end offset captured at assignment: act on what it rebuilt. */
    @Override
    public void replayed(TopicPartition partition) {
        onContext.execute(() -> finishReplay(partition));
    }

    // ---- on the tracker's context ----------------------------------------------------------------------------

    private void apply(ConsumerRecord<String, byte[]> raw) {
        TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
        PartitionReplay partition = owned.get(tp);
        if (partition == null) {
            return;
        }
        Optional<RecordSchema.Unknown> unknown = RecordSchema.checkHeaders(header(raw, RecordSchema.HEADER),
                header(raw, JobLog.STATE_HEADER));
        if (unknown.isPresent()) {
            hold(tp, raw.offset(), unknown.get());
            return;
        }
        if (raw.value() == null) {
            return;
        }
        if (!partition.replaying() && raw.key() != null && settledByHeader(partition, raw)) {
            return;
        }
        if (partition.replaying() && raw.key() != null && replayedFinished(partition, raw)) {
            return;
        }
        RecordSchema.Reading reading = RecordSchema.read(jobLog::decode, raw.value());
        if (reading instanceof RecordSchema.Unknown body) {
            hold(tp, raw.offset(), body);
            return;
        }
        if (reading instanceof RecordSchema.Unreadable unreadable) {
            LOG.errorf("skipping unreadable job-log record %s-%d@%d: %s", raw.topic(), raw.partition(), raw.offset(),
                    unreadable.why());
            return;
        }
        JobRecord record = ((RecordSchema.Known) reading).record();
        if (record.state() == JobState.CANCEL_REQUESTED && staleCommand(record)) {
            return;
        }
        if (partition.replaying()) {
            partition.replay(record, raw.offset());
            return;
        }
        TrackedJob known = active.get(record.jobId());
        if (record.state() != JobState.REFUSED && record.state() != JobState.CANCEL_REQUESTED) {
            // (Neither carries what a parked job could be read back from.)
            followNewest(known, raw.offset(), record);
        }
        noteOwnTerminal(known, record.state(), raw.offset());
        carryOut(tp, partition, partition.live(record, runningHere(known), raw.offset()), known, raw.offset());
    }

    /**
     * A cancel command older than the dedup window: the log keeps records a little past their retention (it deletes
     * whole segments), and a job id may be used again after the window, by another job, which no stale command may
     * cancel.
     */
    private boolean staleCommand(JobRecord command) {
        return command.updatedAt() != null && command.updatedAt().isBefore(clock.instant().minus(dedupWindow));
    }

    /**
     * A record this worker does not understand (a newer worker's, during a rolling deploy): skipping it could lose
     * its job, and acting on the records after it could drive a job on a stale state. The partition's jobs are
     * dropped from memory as on a lost partition (nothing more is written or called for them, none fails), but the
     * partition stays this worker's in the group, so that no other worker of this version takes it either, until a
     * rebalance moves it (to a worker that knows the record, once the rollout is through).
     */
    private void hold(TopicPartition tp, long offset, RecordSchema.Unknown unknown) {
        int jobs = owned.get(tp).active().size();
        drop(tp, false);
        HeldPartition held = new HeldPartition(tp, offset, unknown);
        owned.hold(held);
        LOG.errorf("job-log partition %s %s. This worker knows schema version %d: it applies no further record of"
                + " the partition and has let go of its %d jobs (none failed) until a worker that knows the record"
                + " owns it", tp, held.describe(), RecordSchema.VERSION, jobs);
    }

    /** A header's value: null when absent, empty when it has no value (which no writer sends). */
    private static String header(ConsumerRecord<String, byte[]> raw, String name) {
        Header header = raw.headers().lastHeader(name);
        if (header == null) {
            return null;
        }
        return header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private boolean settledByHeader(PartitionReplay partition, ConsumerRecord<String, byte[]> raw) {
        JobState header = JobLog.stateOf(raw.headers());
        TrackedJob known = active.get(raw.key());
        noteOwnTerminal(known, header, raw.offset());
        boolean settled = partition.settledByHeader(raw.key(), header, runningHere(known), raw.offset());
        if (settled) {
            // Settled by a state header: never a request or refusal, which are always read in full.
            followNewest(known, raw.offset(), null);
        }
        return settled;
    }

    /**
     * During the replay a record whose state header is terminal only marks its job finished: of its body only the
     * finish time is read. A body that time cannot be read from is read in full, as any other record is.
     */
    private boolean replayedFinished(PartitionReplay partition, ConsumerRecord<String, byte[]> raw) {
        JobState header = JobLog.stateOf(raw.headers());
        if (header == null || !header.isTerminal()) {
            return false;
        }
        Instant finishedAt;
        try {
            finishedAt = jobLog.finishedAtOf(raw.value());
        } catch (IOException e) {
            return false;
        }
        if (finishedAt == null) {
            return false;
        }
        partition.replayFinished(raw.key(), raw.offset(), finishedAt);
        return true;
    }

    /**
     * Moves a job's newest offset to a record of it just read (see {@link TrackedJob#newestOffset}).
     *
     * @param record the record, when it was read in full
     */
    private static void followNewest(TrackedJob known, long offset, JobRecord record) {
        if (known != null && offset > known.newestOffset) {
            known.newestOffset = offset;
            known.newestIsRequest = record != null && record.state() == JobState.REQUESTED
                    && record.submitAttempts() == known.record.submitAttempts();
        }
    }

    /** The echo of a terminal record this worker committed can come back before the commit's answer does. */
    private static void noteOwnTerminal(TrackedJob known, JobState state, long offset) {
        if (known != null && state != null && state.isTerminal() && known.latestSent.state().isTerminal()) {
            known.terminalOffset = offset;
        }
    }

    private void carryOut(TopicPartition tp, PartitionReplay partition, PartitionReplay.Decision decision,
            TrackedJob known, long offset) {
        if (decision instanceof PartitionReplay.Adopt adopt) {
            adopt(tp, partition, adopt);
        } else if (decision instanceof PartitionReplay.Duplicate duplicate) {
            metrics.duplicate();
            if (duplicate.refusal() && known.latestSent.state() == JobState.REQUESTED) {
                // Waiting unsubmitted, its input still here: the refusal must not stay its newest record.
                writer.appendDetached(known.partition, known.latestSent.reasserted(clock.instant()));
            } else if (known.latestSent.state().isTerminal() && known.terminalOffset >= 0) {
                // Its result is committed (its echo was read) but not yet acknowledged here: put it back after the
                // repeat, which would otherwise be the job's last word.
                writer.appendDetached(known.partition, known.latestSent.reasserted(clock.instant()));
            } else {
                writer.reassert(known);
            }
        } else if (decision instanceof PartitionReplay.DuplicateBeforeItsResult) {
            metrics.duplicate();
        } else if (decision instanceof PartitionReplay.DuplicateOfParked duplicate) {
            metrics.duplicate();
            if (duplicate.restate() != null) {
                parked.restate(tp, partition, duplicate.restate());
            }
        } else if (decision instanceof PartitionReplay.RestateParked restate) {
            parked.restate(tp, partition, restate.parked());
        } else if (decision instanceof PartitionReplay.MaybeDuplicate maybe) {
            finishedJobs.confirm(tp, maybe, () -> owned.get(tp) == partition,
                    adopt -> adopt(tp, partition, adopt));
        } else if (decision instanceof PartitionReplay.Cancel cancel) {
            cancel(known, cancel.cancellation());
        } else if (decision instanceof PartitionReplay.CancelParked) {
            parked.adoptWhileRoom();
        } else if (decision instanceof PartitionReplay.CancelTooLate late) {
            metrics.cancelRequest("finished_already");
            LOG.infof("cancel of job %s changes nothing: it has ended", late.jobId());
        } else if (decision instanceof PartitionReplay.CancelAwaitingRequest awaiting) {
            metrics.cancelRequest("unknown_job");
            if (!awaiting.kept()) {
                LOG.errorf("job-log partition %s keeps %d cancel commands for job ids it has not seen: one more is"
                        + " dropped (if its request comes, the job runs)", tp, PartitionReplay.MAX_AWAITING);
            }
        } else if (decision instanceof PartitionReplay.FinishedElsewhere elsewhere) {
            known.terminalOffset = offset;
            driver.finishedElsewhere(known, elsewhere.terminal());
        }
        // Anything else is the echo of a transition this worker wrote.
    }

    /**
     * A cancel command for a job driven here. One whose terminal record is on its way (or waits for the lease to be
     * written) keeps it, and nothing changes. (Commands have keys of their own, so they never push a job's records
     * out of the compacted log: nothing needs writing again after one.)
     */
    private void cancel(TrackedJob known, Cancellation asked) {
        if (known.finishing) {
            metrics.cancelRequest("finished_already");
            LOG.infof("cancel of job %s changes nothing: it is ending %s", known.id(), known.latestSent.state());
            return;
        }
        driver.cancel(known, asked);
    }

    /** The newest state this worker sent for a job it drives, or null. */
    private static JobState runningHere(TrackedJob known) {
        return known == null ? null : known.latestSent.state();
    }

    private void finishReplay(TopicPartition tp) {
        PartitionReplay partition = owned.get(tp);
        if (partition == null || !partition.replaying()) {
            return;
        }
        List<PartitionReplay.Decision> decisions = partition.finishReplay();
        int resumed = 0;
        for (PartitionReplay.Decision decision : decisions) {
            resumed += decision instanceof PartitionReplay.Adopt ? 1 : 0;
            carryOut(tp, partition, decision, null, -1);
        }
        owned.replayed(clock.instant());
        LOG.infof("replayed %s: %d finished jobs remembered, %d to resume, %d parked until there is room", tp,
                partition.finishedCount(), resumed, partition.parkedCount());
        parked.adoptWhileRoom();
    }

    private void adopt(TopicPartition tp, PartitionReplay partition, PartitionReplay.Adopt adopt) {
        JobRecord record = adopt.record();
        long offset = partition.takeAdoptedOffset(record.jobId());
        TrackedJob running = active.get(record.jobId());
        if (running != null) {
            // Two records of a job taken for new ones (a fingerprint confirmed twice): one job, driven once.
            if (adopt.cancel() != null) {
                cancel(running, adopt.cancel());
            } else {
                writer.reassert(running);
            }
            return;
        }
        TrackedJob job = new TrackedJob(record, tp);
        job.cancel = adopt.cancel();
        job.newestOffset = offset;
        job.newestIsRequest = record.state() == JobState.REQUESTED;
        active.put(job.id(), job);
        partition.started(job.id());
        inFlight.set(active.size());
        if (adopt.reassert()) {
            writer.write(job, record.reasserted(clock.instant()), () -> driver.act(job));
        } else {
            driver.act(job);
        }
    }

    /**
     * Lets go of a partition's jobs. In an orderly hand-over a job whose submission is out first finishes that call
     * ({@link HandOver}); the others stop at once.
     */
    private void drop(TopicPartition tp, boolean orderly) {
        PartitionReplay partition = owned.remove(tp);
        if (partition == null) {
            return;
        }
        for (String id : partition.active()) {
            TrackedJob job = active.get(id);
            if (job != null && !(orderly && handOver.finishesFirst(job))) {
                letGo(job, orderly);
            }
        }
        LOG.infof("revoked %s: %d jobs handed over", tp, partition.active().size());
    }

    /**
     * A job that must wait for its provider's account steps out of flight, parked at its newest record, if it can
     * be read back from there: waiting in REQUESTED with nothing of it in flight to the log, and the newest record
     * of it read from the log is that REQUESTED (a withdrawal whose echo has not come back yet would leave an
     * older SUBMITTING as the newest known, which must never be adopted from).
     * Returns whether it was parked (the driver then stops it); if not, it waits in flight on its timer.
     */
    private boolean parkUntilProviderCallable(TrackedJob job) {
        PartitionReplay partition = owned.get(job.partition);
        if (partition == null || partition.replaying() || job.newestOffset < 0 || !job.newestIsRequest
                || job.latestSent != job.record || job.record.state() != JobState.REQUESTED || job.draining
                || job.probingProvider != null) {
            return false;
        }
        active.remove(job.id());
        partition.parkWaiting(job.record, job.newestOffset);
        inFlight.set(active.size());
        owned.count();
        return true;
    }

    private void letGo(TrackedJob job, boolean orderly) {
        active.remove(job.id());
        driver.handOver(job, orderly);
        inFlight.set(active.size());
    }

    /** The job's terminal record is committed (here, or by a previous owner): it is no longer in flight. */
    private void retire(TrackedJob job) {
        active.remove(job.id());
        PartitionReplay partition = owned.get(job.partition);
        if (partition != null) {
            partition.finished(job.record, job.terminalOffset);
            owned.count();
        }
        inFlight.set(active.size());
        if (!job.tagless) {
            // A refusal was counted by intake (genworker_requests_rejected_total), and its tags are not trusted.
            metrics.finished(job.record);
        }
        if (owned.parked() > 0) {
            parked.adoptWhileRoom();
        }
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        // Read from the metrics thread; the map is concurrent so this walk is safe while the tracker works.
        return active.values().stream()
                .filter(j -> j.record.receivedAt() != null)
                .mapToDouble(j -> Duration.between(j.record.receivedAt(), now).toMillis() / 1000.0)
                .max().orElse(0);
    }
}
