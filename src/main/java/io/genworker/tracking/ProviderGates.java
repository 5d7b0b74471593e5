package io.genworker.tracking;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.VideoProvider;

/**
 * Every provider's {@link ProviderGate}, shared by the tracker's shards: a provider's concurrency and rate are one
 * budget for the worker whatever the number of shards, and its callers keep one queue. The budget is the provider's
 * own settings or this worker's share of its account ({@link AccountShare}), which moves with the job-log partitions
 * the worker owns. The gates live on the home shard's context (they need no lock there); a shard elsewhere hops
 * there to queue and to release, and its turn comes back on its own context. The home shard calls the gates
 * directly, so with one shard nothing hops.
 */
final class ProviderGates {

    /** A call's place at its provider's gate: released once, from the caller's context (twice is harmless). */
    interface Slot {
        void release();
    }

    private static final Logger LOG = Logger.getLogger(ProviderGates.class);

    private final Executor home;
    private final WorkerMetrics metrics;
    private final ProviderGate.Timers timers;
    private final LongSupplier nanoTime;
    /** Touched on the home context only, like the limits each gate applies now. */
    private final Map<String, ProviderGate> gates = new HashMap<>();
    private final Map<String, VideoProvider> providers = new HashMap<>();
    private final Map<String, AccountShare.GateLimits> applied = new HashMap<>();
    /** Written on the home context, read by the gauges too. */
    private volatile AccountShare share = new AccountShare(0, 0);

    /**
     * @param home runs tasks on the home shard's context, where the gates and their timers live
     * @param timers the home context's timers
     */
    ProviderGates(Executor home, WorkerMetrics metrics, ProviderGate.Timers timers, LongSupplier nanoTime) {
        this.home = home;
        this.metrics = metrics;
        this.timers = timers;
        this.nanoTime = nanoTime;
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

    /**
     * This worker's share of the providers' accounts changed (its job-log partitions did): every gate takes its new
     * limits; gates not built yet take them when they are. From any thread: applied on the home context, and the
     * future completes once it is.
     */
    CompletableFuture<Void> share(AccountShare changed) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        home.execute(() -> {
            share = changed;
            gates.forEach((id, gate) -> {
                AccountShare.GateLimits limits = changed.limitsOf(providers.get(id).settings());
                if (!limits.equals(applied.get(id))) {
                    // A limiter of the new rate: resilience4j can change a limiter's permits per period, not its
                    // period.
                    gate.adjust(limits.maxConcurrentCalls(),
                            ProviderGate.Permits.perSecondFromNow(id, limits.requestsPerSecond()));
                    applied(id, limits);
                }
            });
            done.complete(null);
        });
        return done;
    }

    /** The provider's rate this worker applies, as a fraction of the configured one; safe from any thread. */
    double rateFraction(WorkerConfig.Provider settings) {
        return share.rateFraction(settings);
    }

    private ProviderGate gate(VideoProvider provider) {
        ProviderGate gate = gates.get(provider.id());
        if (gate == null) {
            String id = provider.id();
            AccountShare.GateLimits limits = share.limitsOf(provider.settings());
            applied(id, limits);
            gate = new ProviderGate(limits.maxConcurrentCalls(),
                    ProviderGate.Permits.perSecond(id, limits.requestsPerSecond()), timers, nanoTime,
                    (operation, nanos) -> metrics.rateLimiterWait(id, operation.tag(), Duration.ofNanos(nanos)));
            gates.put(id, gate);
            providers.put(id, provider);
        }
        return gate;
    }

    private void applied(String id, AccountShare.GateLimits limits) {
        applied.put(id, limits);
        LOG.infof("provider %s: %d calls in flight and %.2f a second at most (%s)", id, limits.maxConcurrentCalls(),
                limits.requestsPerSecond(), share);
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
