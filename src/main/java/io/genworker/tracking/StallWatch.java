package io.genworker.tracking;

import java.time.Duration;

/**
 * Counts the tracker context's stalls: a gap between two ticks of a 100 ms timer longer than the ownership lease
 * (half a session timeout) means the process stood still long enough to have lost its partitions without being
 * told: frozen (SIGSTOP, a suspended VM), a very long GC pause. A submission whose SUBMITTING record was sent before
 * such a gap cannot trust the lease, which a resumed process may believe fresh for a moment; see {@link JobDriver}.
 * Shorter gaps (a busy machine) cannot have cost a partition: the group moves a live member's partitions only
 * through a revocation this worker takes part in.
 */
final class StallWatch {

    static final Duration TICK = Duration.ofMillis(100);

    private final long stallNanos;
    /** Written on the tracker's context, read by liveness too. */
    private volatile long lastTick = Long.MIN_VALUE;
    private volatile long stalls;

    /** @param stall the gap that counts as a stall: the ownership lease's length */
    StallWatch(Duration stall) {
        this.stallNanos = stall.toNanos();
    }

    /** A tick of the timer, at this monotonic time (on the tracker's context). */
    void tick(long nanos) {
        if (lastTick != Long.MIN_VALUE && nanos - lastTick > stallNanos) {
            stalls = stalls + 1;
        }
        lastTick = nanos;
    }

    /** How long since the last tick, at this monotonic time: zero before the first. */
    long sinceLastTick(long nanos) {
        long last = lastTick;
        return last == Long.MIN_VALUE ? 0 : Math.max(0, nanos - last);
    }

    /** Stalls seen so far. */
    long stalls() {
        return stalls;
    }
}
