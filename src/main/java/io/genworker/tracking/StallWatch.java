package io.genworker.tracking;

import java.time.Duration;

/**
 * Counts the tracker context's stalls: a gap of more than a second between two ticks of a 100 ms timer means the
 * process (or its event loop) stood still: frozen (SIGSTOP, a suspended VM), a long GC pause, a starved CPU. A
 * submission whose SUBMITTING record was sent before such a gap cannot trust the ownership lease, which a resumed
 * process may believe fresh for a moment; see {@link JobDriver}.
 */
final class StallWatch {

    static final Duration TICK = Duration.ofMillis(100);
    static final Duration STALL = Duration.ofSeconds(1);

    private long lastTick = Long.MIN_VALUE;
    private volatile long stalls;

    /** A tick of the timer, at this monotonic time (on the tracker's context). */
    void tick(long nanos) {
        if (lastTick != Long.MIN_VALUE && nanos - lastTick > STALL.toNanos()) {
            stalls = stalls + 1;
        }
        lastTick = nanos;
    }

    /** Stalls seen so far. */
    long stalls() {
        return stalls;
    }
}
