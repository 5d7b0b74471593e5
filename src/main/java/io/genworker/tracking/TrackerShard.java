package io.genworker.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

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

/**
 * One shard of the tracker: the job-log partitions {@link JobTracker} gives it (by partition number), their jobs and
 * all that drives them, on one Vert.x context, so nothing needs a lock and every wait is a timer. There it carries out
 * what each partition's {@link PartitionReplay} decides, adopting jobs into its {@link JobDriver}, dropping them on
 * hand-over and retiring them once finished. The shards share the provider gates ({@link ProviderGates}), the cap of
 * jobs in flight and the room of the replays; each learns its own generation times.
 */
final class TrackerShard {

    private static final Logger LOG = Logger.getLogger(TrackerShard.class);
    /** How often finished jobs older than the dedup window are forgotten. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    /** How often parked jobs are looked at besides when a job finishes (a read that failed, a partition drained). */
    private static final Duration UNPARK_EVERY = Duration.ofSeconds(1);

    /** What every shard of a worker uses alike. */
    record Services(JobLog jobLog, JobLogTransactions transactions, ResultPublisher results, ProviderRouter router,
            ProviderPauses pauses, OwnershipLease lease, WorkerMetrics metrics, ModelCatalogue catalogue,
            JobLogReader reader, WorkerConfig config, Clock clock, Archiver archiver) {
    }

    /**
     * The worker's cap of jobs in flight, shared by its shards: the jobs in flight of all of them, the parked jobs
     * being read back, and the places the replays hold.
     */
    record Capacity(int maxInFlight, IntSupplier inFlight, IntSupplier parkedReading, ReplayRoom room,
            Runnable placeFreed) {

        /** Places free for jobs held in full by a replay. */
        int freeForReplays() {
            return maxInFlight - inFlight.getAsInt() - parkedReading.getAsInt();
        }

        /**
         * Places free for parked jobs brought back into flight, less those of the jobs being read back by every
         * shard but the one asking, which counts its own reads ({@link ParkedJobs}).
         */
        int freeForParked(int ownReading) {
            return maxInFlight - inFlight.getAsInt() - room.held() - (parkedReading.getAsInt() - ownReading);
        }
    }

    private final JobLog jobLog;
    private final JobLogTransactions transactions;
    private final ResultPublisher results;
    private final WorkerMetrics metrics;
    private final Duration dedupWindow;
    private final Clock clock;
    private final Capacity capacity;
    private final TrackerContext context;
    private final Executor onContext;
    private final AtomicInteger pendingRecords;
    private final AtomicInteger pendingStarts;

    private final Map<String, TrackedJob> active = new ConcurrentHashMap<>();
    private final OwnedPartitions owned;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final HandOver handOver;
    private final JobLogWriter writer;
    private final JobDriver driver;
    private final FinishedJobCheck finishedJobs;
    private final ParkedJobs parked;
    private final StallWatch stalls;

    /**
     * @param gates the provider gates of the worker
     * @param home whether the gates live on this shard's context
     * @param pendingRecords records handed to the tracker and not applied yet, counted down as they are applied
     * @param pendingStarts of those, the ones that may start a job
     */
    TrackerShard(Services services, Capacity capacity, TrackerContext context, ProviderGates gates, boolean home,
            AtomicInteger pendingRecords, AtomicInteger pendingStarts) {
        WorkerConfig config = services.config();
        this.jobLog = services.jobLog();
        this.transactions = services.transactions();
        this.results = services.results();
        this.metrics = services.metrics();
        this.dedupWindow = config.topics().dedupWindow();
        this.clock = services.clock();
        this.capacity = capacity;
        this.context = context;
        this.onContext = context.executor();
        this.pendingRecords = pendingRecords;
        this.pendingStarts = pendingStarts;
        this.owned = new OwnedPartitions(dedupWindow, capacity.room(), services.pauses()::isPaused);
        // One generator for the shard's context, seeded per process: ThreadLocalRandom.current() captured here
        // would be used from another thread, where it starts from the same seed in every replica.
        PollPolicy policy = PollPolicy.from(config.polling(), services.catalogue(), new SplittableRandom());
        Duration maxAccountWait = config.jobs().maxAccountWait();
        JobTimers timers = new JobTimers(context.timers());
        ProviderAccess providers = new ProviderAccess(services.router()::get, services.pauses(), gates,
                home ? null : onContext, context.ioLoops(), clock);
        handOver = new HandOver(job -> letGo(job, true));
        writer = new JobLogWriter(this::append, this::commitWithResult, services.lease()::fresh, timers, onContext,
                clock, handOver::settled);
        stalls = new StallWatch(config.tracker().sessionTimeout().dividedBy(2));
        context.periodic(StallWatch.TICK, () -> stalls.tick(System.nanoTime()));
        driver = new JobDriver(providers, writer, timers, policy,
                new FailurePolicy(policy, config.tracker().resubmitUncertain(), maxAccountWait), metrics, onContext,
                clock, this::retire, this::parkUntilProviderCallable, stalls::stalls, services.archiver(),
                ArchivePolicy.from(config.archive(), new SplittableRandom()));
        finishedJobs = new FinishedJobCheck(services.reader(), writer, timers, metrics, onContext, clock);
        context.periodic(PRUNE_EVERY, () -> owned.forgetOld(clock.instant()));
        parked = new ParkedJobs(services.reader(), owned, this::freeForParked,
                onContext, this::adopt, writer, clock, services.pauses(), maxAccountWait);
        context.periodic(UNPARK_EVERY, parked::tick);
    }

    TrackerContext context() {
        return context;
    }

    // ---- read from any thread --------------------------------------------------------------------------------

    int inFlight() {
        return inFlight.get();
    }

    /** Parked jobs being read back from the log: they will take places in flight. */
    int parkedReading() {
        return parked.reading();
    }

    OwnedPartitions owned() {
        return owned;
    }

    /** How long the shard's context has not run its 100 ms tick, at this monotonic time. */
    long silentNanos(long nanos) {
        return stalls.sinceLastTick(nanos);
    }

    private int freeForParked() {
        return capacity.freeForParked(parked.reading());
    }

    /** A place under the cap came free on another shard: this one's parked jobs may take it (from any thread). */
    void placeFreedElsewhere() {
        if (owned.parked() > 0) {
            onContext.execute(parked::adoptWhileRoom);
        }
    }

    double oldestAgeSeconds(Instant now) {
        // Read from the metrics thread; the map is concurrent so this walk is safe while the shard works.
        return active.values().stream()
                .filter(j -> j.record.receivedAt() != null)
                .mapToDouble(j -> Duration.between(j.record.receivedAt(), now).toMillis() / 1000.0)
                .max().orElse(0);
    }

    // ---- called on the shard's context by JobTracker -------------------------------------------------------

    void assigned(TopicPartition partition) {
        owned.assigned(partition);
    }

    /** Drops the partitions for an orderly hand-over; completes once the submissions that finish first are in. */
    CompletableFuture<Void> revoke(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> drop(tp, true));
        if (handOver.finishing() > 0) {
            LOG.infof("handing over: waiting for %d submissions to be answered", handOver.finishing());
        }
        return handOver.awaited();
    }

    /** The hand-over's wait is over: what is still unanswered is left to the next owner. */
    void giveUpHandOver() {
        handOver.giveUp();
    }

    void lost(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> drop(tp, false));
    }

    /** Applies the records (of this shard's partitions, in their order) on the shard's context. */
    void records(List<ConsumerRecord<String, byte[]>> records) {
        onContext.execute(() -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                try {
                    apply(record);
                } catch (RuntimeException e) {
                    // One record must not cost the rest of the batch, nor leave the counts wrong.
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

    /** The partition's replay reached the end offset captured at assignment: act on what it rebuilt. */
    void replayed(TopicPartition partition) {
        onContext.execute(() -> finishReplay(partition));
    }

    /** A transition, in a transaction of the partition's owner (the records are built on the partition's thread). */
    private Uni<Long> append(TopicPartition tp, JobRecord record) {
        return transactions.send(tp, () -> List.of(jobLog.record(record, tp.partition())));
    }

    /** A terminal record and its result event, in one transaction: never one without the other. */
    private Uni<Long> commitWithResult(TopicPartition tp, JobRecord terminal) {
        return transactions.send(tp, () -> List.of(results.record(terminal), jobLog.record(terminal, tp.partition())));
    }

    // ---- on the shard's context ------------------------------------------------------------------------------

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
        // The replay gives its places back as it ends, but its jobs take theirs in flight one by one below: until they
        // all have, the places stay counted, or another shard could take them meanwhile and overshoot the cap.
        int holding = partition.holding();
        capacity.room().hold(holding);
        List<PartitionReplay.Decision> decisions = partition.finishReplay();
        int resumed = 0;
        try {
            for (PartitionReplay.Decision decision : decisions) {
                resumed += decision instanceof PartitionReplay.Adopt ? 1 : 0;
                carryOut(tp, partition, decision, null, -1);
            }
        } finally {
            capacity.room().release(holding);
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
        // The place is the worker's: the other shards' parked jobs may take it too, or they would wait for their own
        // shard's jobs to finish while this one's took every place.
        capacity.placeFreed().run();
    }
}
