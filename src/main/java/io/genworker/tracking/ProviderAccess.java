package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderFault;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.VideoProvider;
import io.smallrye.mutiny.Uni;

/**
 * The way out to the providers, for every job of the tracker: each provider's gate (its concurrency and rate: the
 * provider's own settings, or this worker's share of them, see {@link AccountShare}), its pause while the account
 * is refused (one probe at a time), and the event loops the HTTP calls run on. Confined to its shard's context,
 * except the calls themselves (the gates are shared: {@link ProviderGates}).
 */
final class ProviderAccess {

    private static final Logger LOG = Logger.getLogger(ProviderAccess.class);

    private final Function<String, VideoProvider> providers;
    private final ProviderPauses pauses;
    private final Executor[] ioLoops;
    private final Clock clock;
    private final ProviderGates gates;
    /** This shard's context, for the gates' answers; null when the gates live on it. */
    private final Executor caller;
    private int nextIoLoop;

    /**
     * A tracker of one shard, whose gates live on its own context.
     *
     * @param ioLoops executors of the event loops that carry the provider calls, so that their I/O does not load
     *        the tracker's own loop
     */
    ProviderAccess(Function<String, VideoProvider> providers, ProviderPauses pauses, WorkerMetrics metrics,
            ProviderGate.Timers gateTimers, LongSupplier nanoTime, Executor[] ioLoops, Clock clock) {
        this(providers, pauses, new ProviderGates(Runnable::run, metrics, gateTimers, nanoTime), null, ioLoops,
                clock);
    }

    /**
     * A shard's way out, through gates shared with the other shards.
     *
     * @param caller this shard's context, where the gates' answers are to come back; null on the gates' own context
     */
    ProviderAccess(Function<String, VideoProvider> providers, ProviderPauses pauses, ProviderGates gates,
            Executor caller, Executor[] ioLoops, Clock clock) {
        this.providers = providers;
        this.pauses = pauses;
        this.gates = gates;
        this.caller = caller;
        this.ioLoops = ioLoops.clone();
        this.clock = clock;
    }

    VideoProvider provider(String id) {
        return providers.apply(id);
    }

    boolean isPaused(String provider) {
        return pauses.isPaused(provider);
    }

    /**
     * Whether the job may call its provider now: empty if so, else how long it should wait before asking again (no
     * key configured, or the account refused and another job holds the probe). A job granted the probe of a paused
     * provider carries it until it calls or gives it up.
     */
    Optional<Duration> holdBack(TrackedJob job, VideoProvider provider) {
        Instant now = clock.instant();
        if (!provider.configured()) {
            if (!pauses.isPaused(provider.id())) {
                LOG.warnf("no API key configured for provider %s: its jobs wait", provider.id());
            }
            pauses.accountRefused(provider.id(), "no API key configured", now);
            return Optional.of(waitForAccount(provider.id()));
        }
        boolean paused = pauses.isPaused(provider.id());
        if (!pauses.mayCall(provider.id(), now)) {
            return Optional.of(waitForAccount(provider.id()));
        }
        if (paused) {
            job.probingProvider = provider.id();
        }
        return Optional.empty();
    }

    /**
     * Runs the call once the provider's gate lets it out; a job handed over meanwhile gives its turn away. If the
     * call cannot even start, the slot is released and {@code onStartFailure} gives the job its next step.
     */
    void withSlot(TrackedJob job, VideoProvider provider, ProviderOperation operation,
            Consumer<ProviderGates.Slot> call, Runnable onStartFailure) {
        gates.acquire(provider, operation, job::stopped, caller, slot -> {
            if (job.stopped()) {
                slot.release();
                giveUpProbe(job);
                return;
            }
            job.slot = slot;
            try {
                call.accept(slot);
            } catch (RuntimeException e) {
                // Never leave a slot taken or a job without a next step.
                LOG.errorf(e, "starting a %s call for job %s failed; trying again", operation, job.id());
                slot.release();
                onStartFailure.run();
            }
        });
    }

    /**
     * Starts a provider call on one of the I/O loops: the HTTP client then encodes, sends and decodes there, and
     * only the outcome comes back (callers emit on the tracker's context). The tracker's loop was the bottleneck of
     * the end-to-end benchmark, with the HTTP client's work a large part of it.
     */
    <T> Uni<T> call(Supplier<Uni<T>> call) {
        nextIoLoop = (nextIoLoop + 1) % ioLoops.length;
        return Uni.createFrom().deferred(call::get).runSubscriptionOn(ioLoops[nextIoLoop]);
    }

    /** A job granted a paused provider's probe will not call after all: the next job may probe. */
    void giveUpProbe(TrackedJob job) {
        if (job.probingProvider != null) {
            pauses.probeInconclusive(job.probingProvider, clock.instant());
            job.probingProvider = null;
        }
    }

    /** The provider answered a call: the account works. */
    void accountAccepted(String provider) {
        pauses.accountAccepted(provider);
    }

    /** What a failed call says of the account: refused (pause), fine (resume), or nothing yet (probe again). */
    void noteFailure(String provider, ProviderCallException e) {
        Instant now = clock.instant();
        if (e.fault() == ProviderFault.PROVIDER_WIDE) {
            if (!pauses.isPaused(provider)) {
                LOG.errorf("provider %s refuses the account, pausing its jobs: %s", provider, e.getMessage());
            }
            pauses.accountRefused(provider, e.getMessage(), now);
        } else if (e.fault() == ProviderFault.JOB_FATAL || e.fault() == ProviderFault.EXPIRED) {
            pauses.accountAccepted(provider);
        } else {
            pauses.probeInconclusive(provider, now);
        }
    }

    /** Until the paused provider's next probe, spread over a second so that parked jobs do not return at once. */
    Duration waitForAccount(String provider) {
        return pauses.waitBeforeRetry(provider, clock.instant())
                .plusMillis(ThreadLocalRandom.current().nextLong(1000));
    }
}
