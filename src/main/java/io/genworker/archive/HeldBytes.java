package io.genworker.archive;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The body bytes the store holds right now over all transfers (part buffers and the unconsumed rest of the Vert.x
 * buffer being split), and the most it ever held: the measure of the one-part-per-transfer memory bound.
 */
final class HeldBytes {

    private final AtomicLong now = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    void add(long bytes) {
        long held = now.addAndGet(bytes);
        peak.accumulateAndGet(held, Math::max);
    }

    void release(long bytes) {
        now.addAndGet(-bytes);
    }

    long now() {
        return now.get();
    }

    long peak() {
        return peak.get();
    }
}
