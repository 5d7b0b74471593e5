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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.joblog.JobLog;
import io.genworker.joblog.JobLogListener;
import io.genworker.joblog.JobLogReader;
import io.genworker.joblog.OwnershipLease;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.ProviderRouter;
import io.genworker.publish.ResultCommitter;
import io.vertx.core.Context;
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
    /** How long a hand-over waits for the result transactions of the jobs it gives up. */
    private static final Duration HAND_OVER_WAIT = Duration.ofSeconds(10);
    /** How often finished jobs older than the dedup window are forgotten. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    /** Event loops that carry the provider HTTP calls, so that their I/O does not load the tracker's own loop. */
    private static final int IO_LOOPS = 2;

    private final Vertx vertx;
    private final JobLog jobLog;
    private final ResultCommitter committer;
    private final ProviderRouter router;
    private final ProviderPauses pauses;
    private final OwnershipLease lease;
    private final WorkerMetrics metrics;
    private final JobLogReader reader;
    private final WorkerConfig.Tracker config;
    private final Duration dedupWindow;
    private final PollPolicy policy;
    private final Clock clock;

    private final Map<String, TrackedJob> active = new ConcurrentHashMap<>();
    private final Map<TopicPartition, PartitionReplay> owned = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger replaying = new AtomicInteger();
    private final AtomicInteger remembered = new AtomicInteger();
    /** Records handed over by the consumer and not applied yet; of those, how many may start a job. */
    private final AtomicInteger pendingRecords = new AtomicInteger();
    private final AtomicInteger pendingStarts = new AtomicInteger();
    private volatile Context context;
    private Executor onContext;
    private JobTimers timers;
    private JobLogWriter writer;
    private JobDriver driver;

    public JobTracker(Vertx vertx, JobLog jobLog, ResultCommitter committer, ProviderRouter router,
            ProviderPauses pauses, OwnershipLease lease, WorkerMetrics metrics, ModelCatalogue catalogue,
            JobLogReader reader, WorkerConfig config, Clock clock) {
        this.vertx = vertx;
        this.jobLog = jobLog;
        this.committer = committer;
        this.router = router;
        this.pauses = pauses;
        this.lease = lease;
        this.metrics = metrics;
        this.reader = reader;
        this.config = config.tracker();
        this.dedupWindow = config.topics().dedupWindow();
        // One generator for the tracker's context, seeded per process: ThreadLocalRandom.current() captured here
        // would be used from another thread, where it starts from the same seed in every replica.
        this.policy = PollPolicy.from(config.polling(), catalogue, new SplittableRandom());
        this.clock = clock;
    }

    /** Creates the tracker's context and its collaborators; called once before the job-log consumer starts. */
    public void start() {
        context = vertx.getOrCreateContext();
        onContext = task -> context.runOnContext(ignored -> task.run());
        Executor[] ioLoops = new Executor[IO_LOOPS];
        for (int i = 0; i < IO_LOOPS; i++) {
            // Called off any Vert.x thread, each call makes a new context on the next event loop.
            Context io = vertx.getOrCreateContext();
            ioLoops[i] = task -> io.runOnContext(ignored -> task.run());
        }
        timers = new JobTimers(new JobTimers.Timers() {
            @Override
            public long set(long millis, Runnable task) {
                return vertx.setTimer(millis, id -> task.run());
            }

            @Override
            public void cancel(long id) {
                vertx.cancelTimer(id);
            }
        });
        ProviderAccess providers = new ProviderAccess(router::get, pauses, metrics,
                (nanos, task) -> vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)),
                        id -> task.run()),
                System::nanoTime, ioLoops, clock);
        writer = new JobLogWriter(jobLog::append, committer::commit, lease::fresh, timers, onContext, clock);
        driver = new JobDriver(providers, writer, timers, policy, config.resubmitUncertain(), metrics, onContext,
                clock, this::retire);
        metrics.inFlightGauges(inFlight::get, this::oldestAgeSeconds);
        metrics.rememberedGauge(remembered::get);
        // Set from the context, so that the pruning runs on it.
        context.runOnContext(ignored -> vertx.setPeriodic(PRUNE_EVERY.toMillis(), id -> prune()));
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    public boolean replaying() {
        return replaying.get() > 0;
    }

    // ---- called from the job-log consumer thread -------------------------------------------------------------

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        awaitOnContext(() -> partitions.forEach(tp -> {
            owned.put(tp, new PartitionReplay());
            replaying.incrementAndGet();
        }));
    }

    /**
     * Stops acting on the partitions' jobs, then lets what was already sent for them land (job-log writes and
     * result transactions) before the partitions move, so that the next owner's replay sees it.
     */
    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        awaitOnContext(() -> partitions.forEach(this::drop));
        jobLog.flush();
        committer.awaitIdle(HAND_OVER_WAIT);
    }

    @Override
    public void records(List<ConsumerRecord<String, byte[]>> records) {
        int starts = (int) records.stream().filter(r -> JobLog.mayStartAJob(r.headers())).count();
        pendingRecords.addAndGet(records.size());
        pendingStarts.addAndGet(starts);
        context.runOnContext(ignored -> {
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
        return config.maxInFlight() - inFlight.get() - pendingStarts.get();
    }

    @Override
    public int pendingRecords() {
        return pendingRecords.get();
    }

    /** The partition's replay reached the end offset captured at assignment: act on what it rebuilt. */
    @Override
    public void replayed(TopicPartition partition) {
        context.runOnContext(ignored -> finishReplay(partition));
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

    // ---- on the tracker's context ----------------------------------------------------------------------------

    private void apply(ConsumerRecord<String, byte[]> raw) {
        TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
        PartitionReplay partition = owned.get(tp);
        if (partition == null || raw.value() == null) {
            return;
        }
        if (!partition.replaying() && raw.key() != null && settledByHeader(partition, raw)) {
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
        if (partition.replaying()) {
            partition.replay(record, raw.offset());
            return;
        }
        TrackedJob known = active.get(record.jobId());
        noteOwnTerminal(known, record.state(), raw.offset());
        carryOut(tp, partition, partition.live(record, runningHere(known), raw.offset()), known, raw.offset());
    }

    private boolean settledByHeader(PartitionReplay partition, ConsumerRecord<String, byte[]> raw) {
        JobState header = JobLog.stateOf(raw.headers());
        TrackedJob known = active.get(raw.key());
        noteOwnTerminal(known, header, raw.offset());
        return partition.settledByHeader(raw.key(), header, runningHere(known), raw.offset());
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
        } else if (decision instanceof PartitionReplay.Duplicate) {
            metrics.duplicate();
            writer.reassert(known);
        } else if (decision instanceof PartitionReplay.DuplicateBeforeItsResult) {
            metrics.duplicate();
        } else if (decision instanceof PartitionReplay.MaybeDuplicate maybe) {
            confirmFinished(tp, partition, maybe);
        } else if (decision instanceof PartitionReplay.FinishedElsewhere elsewhere) {
            known.terminalOffset = offset;
            driver.finishedElsewhere(known, elsewhere.terminal());
        }
        // Anything else is the echo of a transition this worker wrote.
    }

    /**
     * A record bearing the fingerprint of a job that finished here: reads the job's terminal record back. The same
     * id: the job is finished, and its terminal record is written again so that compaction keeps it as the job's
     * last word. Another id: a new job whose fingerprint collides, adopted. Until the broker answers, retried.
     */
    private void confirmFinished(TopicPartition tp, PartitionReplay partition, PartitionReplay.MaybeDuplicate maybe) {
        reader.read(tp, maybe.terminalOffset())
                .emitOn(onContext)
                .subscribe().with(found -> {
                    if (owned.get(tp) != partition) {
                        return;
                    }
                    String id = maybe.record().jobId();
                    if (found.isPresent() && found.get().jobId().equals(id) && found.get().state().isTerminal()) {
                        if (maybe.repeatedRequest()) {
                            metrics.duplicate();
                        }
                        writer.appendDetached(found.get().reasserted(clock.instant()));
                    } else {
                        LOG.infof("job %s only shares a fingerprint with a finished job: adopting it", id);
                        adopt(tp, partition, new PartitionReplay.Adopt(maybe.record(), false));
                    }
                }, failure -> {
                    LOG.warnf("reading back the result of job %s failed, retrying: %s", maybe.record().jobId(),
                            failure.getMessage());
                    timers.detached(JobLogWriter.WRITE_RETRY, () -> confirmFinished(tp, partition, maybe));
                });
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
        replaying.decrementAndGet();
        List<PartitionReplay.Decision> decisions = partition.finishReplay();
        int resumed = 0;
        for (PartitionReplay.Decision decision : decisions) {
            resumed += decision instanceof PartitionReplay.Adopt ? 1 : 0;
            carryOut(tp, partition, decision, null, -1);
        }
        partition.pruneFinishedBefore(clock.instant().minus(dedupWindow));
        remembered.set(rememberedNow());
        LOG.infof("replayed %s: %d finished jobs remembered, %d to resume", tp, partition.finishedCount(), resumed);
    }

    private void adopt(TopicPartition tp, PartitionReplay partition, PartitionReplay.Adopt adopt) {
        JobRecord record = adopt.record();
        TrackedJob running = active.get(record.jobId());
        if (running != null) {
            // Two records of a job taken for new ones (a fingerprint confirmed twice): one job, driven once.
            writer.reassert(running);
            return;
        }
        TrackedJob job = new TrackedJob(record, tp);
        active.put(job.id(), job);
        partition.started(job.id());
        inFlight.set(active.size());
        if (adopt.reassert()) {
            writer.write(job, record.reasserted(clock.instant()), () -> driver.act(job));
        } else {
            driver.act(job);
        }
    }

    private void drop(TopicPartition tp) {
        PartitionReplay partition = owned.remove(tp);
        if (partition == null) {
            return;
        }
        if (partition.replaying()) {
            replaying.decrementAndGet();
        }
        for (String id : partition.active()) {
            TrackedJob job = active.remove(id);
            if (job != null) {
                driver.handOver(job);
            }
        }
        inFlight.set(active.size());
        remembered.set(rememberedNow());
        LOG.infof("revoked %s: %d jobs handed over", tp, partition.active().size());
    }

    /** The job's terminal record is committed (here, or by a previous owner): it is no longer in flight. */
    private void retire(TrackedJob job) {
        active.remove(job.id());
        PartitionReplay partition = owned.get(job.partition);
        if (partition != null) {
            partition.finished(job.record, job.terminalOffset);
        }
        inFlight.set(active.size());
        metrics.finished(job.record);
    }

    /** Forgets the finished jobs older than the dedup window: the job log has deleted them too. */
    private void prune() {
        Instant cutoff = clock.instant().minus(dedupWindow);
        int pruned = 0;
        for (PartitionReplay partition : owned.values()) {
            pruned += partition.pruneFinishedBefore(cutoff);
        }
        remembered.set(rememberedNow());
        if (pruned > 0) {
            LOG.debugf("forgot %d jobs finished before %s", pruned, cutoff);
        }
    }

    private int rememberedNow() {
        return owned.values().stream().mapToInt(PartitionReplay::finishedCount).sum();
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        // Read from the metrics thread; the map is concurrent so this walk is safe while the tracker works.
        return active.values().stream()
                .mapToDouble(j -> Duration.between(j.record.receivedAt(), now).toMillis() / 1000.0)
                .max().orElse(0);
    }
}
