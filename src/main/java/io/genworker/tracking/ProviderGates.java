package io.genworker.tracking;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import io.genworker.provider.ProviderOperation;
import io.genworker.provider.VideoProvider;

/**
 * Every provider's {@link ProviderGate}, shared by the tracker's shards: a provider's concurrency and rate are one
 * budget whatever the number of shards, and its callers keep one queue. The gates live on the home shard's context
 * (they need no lock there); a shard elsewhere hops there to queue and to release, and its turn comes back on its own
 * context. The home shard calls the gates directly, so with one shard nothing hops.
 */
final class ProviderGates {

    /** A call's place at its provider's gate: released once, from the caller's context (twice is harmless). */
    interface Slot {
        void release();
    }

    private final Executor home;
    private final Function<VideoProvider, ProviderGate> newGate;
    /** Touched on the home context only. */
    private final Map<String, ProviderGate> gates = new HashMap<>();

    /**
     * @param home runs tasks on the home shard's context, where the gates and their timers live
     * @param newGate builds a provider's gate the first time one of its calls queues
     */
    ProviderGates(Executor home, Function<VideoProvider, ProviderGate> newGate) {
        this.home = home;
        this.newGate = newGate;
    }

    /**
     * Runs the user, on the caller's context, once the provider's gate lets the call out; a call cancelled by its turn
     * is skipped.
     *
     * @param caller the caller's context, or null when the caller is on the home context
     */
    void acquire(VideoProvider provider, ProviderOperation operation, BooleanSupplier cancelled, Executor caller,
            Consumer<Slot> user) {
        if (caller == null) {
            gate(provider).acquire(operation, cancelled, slot -> user.accept(slot::release));
            return;
        }
        // The cancelled flag is read on the home context: a stale read only lets the turn come, and the caller looks
        // at its job again on its own context before it calls.
        home.execute(() -> gate(provider).acquire(operation, cancelled,
                slot -> caller.execute(() -> user.accept(new Remote(slot)))));
    }

    private ProviderGate gate(VideoProvider provider) {
        return gates.computeIfAbsent(provider.id(), id -> newGate.apply(provider));
    }

    /** A slot of a gate on another context: released there. */
    private final class Remote implements Slot {
        private final ProviderGate.Slot slot;
        private boolean released;

        Remote(ProviderGate.Slot slot) {
            this.slot = slot;
        }

        @Override
        public void release() {
            if (!released) {
                released = true;
                home.execute(slot::release);
            }
        }
    }
}
