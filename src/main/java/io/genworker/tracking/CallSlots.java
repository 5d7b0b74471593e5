package io.genworker.tracking;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Caps the calls in flight to one provider; waiting jobs are served in arrival order, so none is starved. Confined
 * to the tracker's context. Not a library bulkhead because the slot must cover more than the HTTP call: a job only
 * writes SUBMITTING once it holds a slot, so a crash during a burst leaves at most the capped number of jobs with an
 * uncertain submission, not every job waiting in the HTTP client's queue.
 */
final class CallSlots {

    private final int limit;
    private final ArrayDeque<Consumer<Slot>> waiting = new ArrayDeque<>();
    private int inUse;

    CallSlots(int limit) {
        this.limit = Math.max(1, limit);
    }

    /** Runs the user once a slot is free; the user must release it (releasing twice is harmless). */
    void acquire(Consumer<Slot> user) {
        waiting.add(user);
        grant();
    }

    int inUse() {
        return inUse;
    }

    int waiting() {
        return waiting.size();
    }

    private void grant() {
        while (inUse < limit && !waiting.isEmpty()) {
            inUse++;
            waiting.poll().accept(new Slot());
        }
    }

    final class Slot {
        private boolean released;

        void release() {
            if (!released) {
                released = true;
                inUse--;
                grant();
            }
        }
    }
}
