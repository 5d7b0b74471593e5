package io.genworker.tracking;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * How many unfinished jobs the worker's replays may hold in full (with their inputs) between them: the places free
 * under `max-in-flight`. A replay cannot stop half-way, so past this it keeps jobs by offset only
 * ({@link PartitionReplay.Parked}). Shared by the tracker's shards, each replaying on its own context, and read from
 * the consumer's thread: the count is atomic.
 */
final class ReplayRoom {

    private final IntSupplier free;
    private final AtomicInteger held = new AtomicInteger();

    /** @param free places free under the cap of jobs in flight, not counting what the replays hold */
    ReplayRoom(IntSupplier free) {
        this.free = free;
    }

    static ReplayRoom unlimited() {
        return new ReplayRoom(() -> Integer.MAX_VALUE);
    }

    /** Takes a place for one job held in full, if one is free. */
    boolean take() {
        int available = free.getAsInt();
        while (true) {
            int now = held.get();
            if (available - now <= 0) {
                return false;
            }
            if (held.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Takes a place whether or not one is free: for a job that must not wait (see PartitionReplay). */
    void takeAnyway() {
        held.incrementAndGet();
    }

    /** Holds places that must stay counted for a while (see TrackerShard's end of a replay). */
    void hold(int places) {
        held.addAndGet(places);
    }

    void release(int places) {
        held.updateAndGet(now -> Math.max(0, now - places));
    }

    int held() {
        return held.get();
    }
}
