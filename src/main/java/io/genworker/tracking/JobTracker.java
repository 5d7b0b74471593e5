package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.archive.Archiver;
import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.joblog.JobLog;
import io.genworker.joblog.JobLogListener;
import io.genworker.joblog.JobLogReader;
import io.genworker.joblog.JobLogTransactions;
import io.genworker.joblog.OwnershipLease;
import io.genworker.joblog.RecordSchema;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.ProviderRouter;
import io.genworker.publish.ResultPublisher;
import io.vertx.core.Vertx;

/**
 * The front of the tracker: takes the job-log consumer's calls (assignments, records, replay ends, revocations) to
 * the {@link TrackerShard} each partition belongs to (by partition number, over `worker.tracker.shards` event-loop
 * contexts), and adds up what the shards know for the consumer, the health checks and the gauges. The shards share
 * the provider gates and the cap of jobs in flight.
 */
@ApplicationScoped
public class JobTracker implements JobLogListener {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    /** Event loops that carry the provider HTTP calls, so that their I/O does not load the shards' own loops. */
    private static final int IO_LOOPS = 2;

    private final Vertx vertx;
    private final TrackerShard.Services services;
    private final int maxInFlight;
    private final int shardCount;
    private final Duration handOverWait;
    private final Clock clock;
    /** Records handed over by the consumer and not applied yet; of those, how many may start a job. */
    private final AtomicInteger pendingRecords = new AtomicInteger();
    private final AtomicInteger pendingStarts = new AtomicInteger();
    private final ReplayRoom room;
    private volatile TrackerShard[] shards = new TrackerShard[0];
    /** On the consumer's thread, like the rebalance callbacks that change it. */
    private AccountShares shares;

    public JobTracker(Vertx vertx, JobLog jobLog, JobLogTransactions transactions, ResultPublisher results,
            ProviderRouter router, ProviderPauses pauses, OwnershipLease lease, WorkerMetrics metrics,
            ModelCatalogue catalogue, JobLogReader reader, WorkerConfig config, Clock clock, Archiver archiver) {
        this.vertx = vertx;
        this.services = new TrackerShard.Services(jobLog, transactions, results, router, pauses, lease, metrics,
                catalogue, reader, config, clock, archiver);
        this.maxInFlight = config.tracker().maxInFlight();
        this.shardCount = Math.max(1, config.tracker().shards());
        this.handOverWait = config.tracker().handOverWait();
        this.clock = clock;
        this.room = new ReplayRoom(() -> maxInFlight - inFlight() - sum(TrackerShard::parkedReading));
    }

    /** Creates the shards' contexts and their collaborators; called once before the job-log consumer starts. */
    public void start() {
        TrackerContext[] contexts = TrackerContext.create(vertx, shardCount, IO_LOOPS);
        WorkerMetrics metrics = services.metrics();
        // The gates live on the first shard's context, with their timers.
        ProviderGates gates = new ProviderGates(contexts[0].executor(), metrics, contexts[0].gateTimers(),
                System::nanoTime);
        shares = new AccountShares(services.jobLog().routing().partitions(), gates, metrics, services.router().ids(),
                id -> services.router().get(id).settings());
        TrackerShard[] built = new TrackerShard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            int self = i;
            Runnable placeFreed = shardCount == 1 ? () -> { } : () -> {
                for (int other = 0; other < built.length; other++) {
                    if (other != self && built[other] != null) {
                        built[other].placeFreedElsewhere();
                    }
                }
            };
            TrackerShard.Capacity capacity = new TrackerShard.Capacity(maxInFlight, this::inFlight,
                    () -> sum(TrackerShard::parkedReading), room, placeFreed);
            built[i] = new TrackerShard(services, capacity, contexts[i], gates, i == 0, pendingRecords,
                    pendingStarts);
        }
        shards = built;
        metrics.inFlightGauges(this::inFlight, this::oldestAgeSeconds);
        metrics.rememberedGauge(() -> sum(shard -> shard.owned().remembered()));
        for (RecordSchema.Reason reason : RecordSchema.Reason.values()) {
            metrics.heldPartitionsGauge(reason.tag(), () -> sum(shard -> shard.owned().heldFor(reason)));
        }
        metrics.parkedGauge(this::parked);
        if (shardCount > 1) {
            LOG.infof("tracker state in %d shards, by job-log partition", shardCount);
        }
    }

    @Override
    public int inFlight() {
        return sum(TrackerShard::inFlight);
    }

    /** Unfinished jobs kept by offset only (see {@link ParkedJobs}); safe from any thread. */
    public int parked() {
        return sum(shard -> shard.owned().parked());
    }

    public boolean replaying() {
        return Arrays.stream(shards).anyMatch(shard -> shard.owned().replaying());
    }

    /**
     * The longest a shard's context has gone without running its 100 ms tick: a context that stopped turning (a task
     * that never returns) drives none of its jobs, and only a restart cures it. Safe from any thread.
     */
    public Duration longestShardSilence() {
        long now = System.nanoTime();
        long longest = 0;
        for (TrackerShard shard : shards) {
            longest = Math.max(longest, shard.silentNanos(now));
        }
        return Duration.ofNanos(longest);
    }

    /** The partitions held at a record this worker does not understand; safe from any thread. */
    public Collection<HeldPartition> held() {
        List<HeldPartition> held = new ArrayList<>();
        for (TrackerShard shard : shards) {
            held.addAll(shard.owned().held());
        }
        return held;
    }

    // ---- called from the job-log consumer thread -------------------------------------------------------------

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        onEachShard(partitions, (shard, mine) -> () -> mine.forEach(shard::assigned));
        shares.assigned(partitions);
    }

    /**
     * Stops acting on the partitions' jobs, except that a submission already sent is given up to
     * `worker.tracker.hand-over-wait` to be answered and its outcome written (so that the next owner polls it
     * rather than failing it SUBMIT_UNCERTAIN). The consumer then lets what was sent for them commit
     * ({@link JobLogTransactions#close}) before the partitions move, so that the next owner's replay sees it.
     */
    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        // The share goes with the partitions, before the hand-over's wait: the next owner takes it as soon as the
        // revocation ends (the submissions still finishing keep the slots they hold).
        shares.gone(partitions);
        List<CompletableFuture<Void>> finished = new ArrayList<>();
        onEachShard(partitions, (shard, mine) -> () -> {
            CompletableFuture<Void> done = shard.revoke(mine);
            synchronized (finished) {
                finished.add(done);
            }
        });
        try {
            CompletableFuture<?>[] all;
            synchronized (finished) {
                all = finished.toArray(CompletableFuture[]::new);
            }
            CompletableFuture.allOf(all).get(handOverWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("hand-over: submissions still unanswered after %s are left to the next owner", handOverWait);
        }
        onEachShard(partitions, (shard, mine) -> shard::giveUpHandOver);
    }

    /** The partitions may belong to another worker already: nothing more is written for their jobs. */
    @Override
    public void lost(Collection<TopicPartition> partitions) {
        onEachShard(partitions, (shard, mine) -> () -> shard.lost(mine));
        shares.gone(partitions);
    }

    @Override
    public void records(List<ConsumerRecord<String, byte[]>> records) {
        int starts = (int) records.stream().filter(r -> JobLog.mayStartAJob(r.headers())).count();
        pendingRecords.addAndGet(records.size());
        pendingStarts.addAndGet(starts);
        TrackerShard[] all = started();
        if (all.length == 1) {
            all[0].records(records);
            return;
        }
        List<List<ConsumerRecord<String, byte[]>>> byShard = new ArrayList<>(all.length);
        for (int i = 0; i < all.length; i++) {
            byShard.add(new ArrayList<>());
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            byShard.get(shardOf(record.partition(), all.length)).add(record);
        }
        for (int i = 0; i < all.length; i++) {
            if (!byShard.get(i).isEmpty()) {
                all[i].records(byShard.get(i));
            }
        }
    }

    @Override
    public int newJobsWelcome() {
        // Parked jobs came first: new ones wait in Kafka until those are in flight. Jobs parked for a paused provider
        // wait for the provider, not for a place: counted here, they would hold back every other provider's jobs.
        return maxInFlight - inFlight() - pendingStarts.get() - sum(shard -> shard.owned().parkedReady())
                - room.held();
    }

    @Override
    public int pendingRecords() {
        return pendingRecords.get();
    }

    /** The partition's replay reached the end offset captured at assignment: act on what it rebuilt. */
    @Override
    public void replayed(TopicPartition partition) {
        TrackerShard[] all = started();
        all[shardOf(partition.partition(), all.length)].replayed(partition);
    }

    /** The shard a job-log partition belongs to: by its number, so that a partition's records keep their order. */
    static int shardOf(int partition, int shards) {
        return Math.floorMod(partition, shards);
    }

    /** Runs, on each shard's context at once, the task made for its share of the partitions; returns when all ran. */
    private void onEachShard(Collection<TopicPartition> partitions,
            BiFunction<TrackerShard, List<TopicPartition>, Runnable> task) {
        TrackerShard[] all = started();
        List<TrackerContext> contexts = new ArrayList<>();
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (shardOf(tp.partition(), all.length) == i) {
                    mine.add(tp);
                }
            }
            if (!mine.isEmpty()) {
                contexts.add(all[i].context());
                tasks.add(task.apply(all[i], mine));
            }
        }
        TrackerContext.awaitAll(contexts, tasks);
    }

    /** The shards; the consumer must not call before {@link #start}, or its records would be dropped unseen. */
    private TrackerShard[] started() {
        TrackerShard[] all = shards;
        if (all.length == 0) {
            throw new IllegalStateException("the job tracker is not started");
        }
        return all;
    }

    private int sum(ToIntFunction<TrackerShard> figure) {
        int total = 0;
        for (TrackerShard shard : shards) {
            total += figure.applyAsInt(shard);
        }
        return total;
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        return Arrays.stream(shards).mapToDouble(shard -> shard.oldestAgeSeconds(now)).max().orElse(0);
    }
}
