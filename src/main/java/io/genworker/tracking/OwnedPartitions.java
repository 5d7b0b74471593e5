package io.genworker.tracking;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.kafka.common.TopicPartition;

import io.genworker.joblog.RecordSchema;

/**
 * The job-log partitions this worker owns, each with its {@link PartitionReplay}, and the figures read from other
 * threads: how many are still replaying, how many finished jobs they remember, which are held at a record this
 * worker does not understand. Finished jobs older than the dedup window are forgotten here, as the job log deletes
 * them. Changed only on the tracker's context.
 * <p>
 * A held partition is still this worker's in the group but has no state here, as if lost: nothing reads its
 * records or drives its jobs. It stops being held when it is revoked, lost or assigned anew.
 */
final class OwnedPartitions {

    private final Map<TopicPartition, PartitionReplay> owned = new HashMap<>();
    private final AtomicInteger replaying = new AtomicInteger();
    private final AtomicInteger remembered = new AtomicInteger();
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicInteger parkedReady = new AtomicInteger();
    private final Map<TopicPartition, HeldPartition> held = new ConcurrentHashMap<>();
    private final Duration dedupWindow;
    private final ReplayRoom room;
    private final Predicate<String> paused;

    /**
     * @param room how many unfinished jobs the replays may hold in full between them
     * @param paused whether a provider is paused (its parked jobs wait for it, not for a place in flight)
     */
    OwnedPartitions(Duration dedupWindow, ReplayRoom room, Predicate<String> paused) {
        this.dedupWindow = dedupWindow;
        this.room = room;
        this.paused = paused;
    }

    /** A partition assigned to this worker: its replay starts. */
    void assigned(TopicPartition partition) {
        held.remove(partition);
        owned.put(partition, new PartitionReplay(room));
        replaying.incrementAndGet();
    }

    /** The partition's state, or null when this worker does not own it. */
    PartitionReplay get(TopicPartition partition) {
        return owned.get(partition);
    }

    /** The partition's replay ended. */
    void replayed(Instant now) {
        replaying.decrementAndGet();
        forgetOld(now);
    }

    /** The partition is no longer this worker's; returns its state, or null when it was not. */
    PartitionReplay remove(TopicPartition partition) {
        held.remove(partition);
        PartitionReplay removed = owned.remove(partition);
        if (removed != null && removed.replaying()) {
            replaying.decrementAndGet();
            removed.abandon();
        }
        count();
        return removed;
    }

    /** Forgets the finished jobs older than the dedup window: the job log has deleted them too. */
    int forgetOld(Instant now) {
        Instant cutoff = now.minus(dedupWindow);
        int forgotten = 0;
        for (PartitionReplay partition : owned.values()) {
            forgotten += partition.pruneFinishedBefore(cutoff);
        }
        count();
        return forgotten;
    }

    /** Recounts the finished jobs remembered and the parked jobs waiting. */
    void count() {
        remembered.set(owned.values().stream().mapToInt(PartitionReplay::finishedCount).sum());
        parked.set(owned.values().stream().mapToInt(PartitionReplay::parkedCount).sum());
        parkedReady.set(owned.values().stream().mapToInt(p -> p.parkedCount(paused.negate())).sum());
    }

    /** The owned partitions and their state, to walk on the tracker's context. */
    Map<TopicPartition, PartitionReplay> all() {
        return owned;
    }

    /** Unfinished jobs the replays hold in full now (places spoken for); safe from any thread. */
    int heldInReplays() {
        return room.held();
    }

    /** Unfinished jobs kept by offset only (past the cap, or waiting for a paused provider); safe from any thread. */
    int parked() {
        return parked.get();
    }

    /**
     * Parked jobs waiting for a place in flight: those of a paused provider left out, as they wait for the provider
     * and would otherwise hold back every other provider's jobs. Safe from any thread; as of the latest count.
     */
    int parkedReady() {
        return parkedReady.get();
    }

    /** Marks a partition already removed ({@link #remove}) as held. */
    void hold(HeldPartition partition) {
        held.put(partition.partition(), partition);
    }

    /** The held partitions; safe from any thread. */
    Collection<HeldPartition> held() {
        return List.copyOf(held.values());
    }

    /** How many partitions are held for this reason; safe from any thread. */
    int heldFor(RecordSchema.Reason reason) {
        return (int) held.values().stream().filter(h -> h.unknown().reason() == reason).count();
    }

    boolean replaying() {
        return replaying.get() > 0;
    }

    /** Finished jobs remembered for deduplication; safe from any thread. */
    int remembered() {
        return remembered.get();
    }
}
