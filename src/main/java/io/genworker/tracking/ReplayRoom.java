package io.genworker.tracking;

import java.util.function.IntSupplier;

/**
 * How many unfinished jobs the worker's replays may hold in full (with their inputs) between them: the places free
 * under `max-in-flight`. A replay cannot stop half-way, so past this it keeps jobs by offset only
 * ({@link PartitionReplay.Parked}). Used on the tracker's context only.
 */
final class ReplayRoom {

    private final IntSupplier free;
    /** Written on the tracker's context, read from the consumer's thread too. */
    private volatile int held;

    /** @param free places free under the cap of jobs in flight, not counting what the replays hold */
    ReplayRoom(IntSupplier free) {
        this.free = free;
    }

    static ReplayRoom unlimited() {
        return new ReplayRoom(() -> Integer.MAX_VALUE);
    }

    /** Takes a place for one job held in full, if one is free. */
    boolean take() {
        if (free.getAsInt() - held <= 0) {
            return false;
        }
        held = held + 1;
        return true;
    }

    /** Takes a place whether or not one is free: for a job that must not wait (see PartitionReplay). */
    void takeAnyway() {
        held = held + 1;
    }

    void release(int places) {
        held = Math.max(0, held - places);
    }

    int held() {
        return held;
    }
}
