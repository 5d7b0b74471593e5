package io.genworker.archive;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * At most {@code max} transfers at once; the others wait in order, without a thread. Each transfer holds at most one
 * multipart part in memory, so this bounds the heap copies take. Hand-rolled because Mutiny has no asynchronous
 * semaphore, and a waiting transfer must be cancellable (its job handed over) without holding a slot.
 */
final class TransferSlots {

    private static final Logger LOG = Logger.getLogger(TransferSlots.class);

    private final int max;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private int running;
    /** Releases not yet handled by the loop in {@link #release}. */
    private int pendingReleases;
    private boolean releasing;

    TransferSlots(int max) {
        this.max = Math.max(1, max);
    }

    /** Runs the transfer once a slot is free; the slot is given back when it ends, fails or is cancelled. */
    <T> Uni<T> run(Supplier<Uni<T>> transfer) {
        return Uni.createFrom().emitter((UniEmitter<? super T> emitter) -> {
            Start<T> start = new Start<>(transfer, emitter);
            emitter.onTermination(start::cancel);
            boolean now;
            synchronized (this) {
                now = running < max;
                if (now) {
                    running++;
                } else {
                    waiting.add(start);
                }
            }
            if (now) {
                start.run();
            }
        });
    }

    /** One transfer, waiting or running; cancelled by its subscriber's termination. Gives its slot back once. */
    private final class Start<T> implements Runnable {

        private final Supplier<Uni<T>> transfer;
        private final UniEmitter<? super T> emitter;
        private final AtomicBoolean released = new AtomicBoolean();
        private Cancellable running;
        private boolean cancelled;

        Start(Supplier<Uni<T>> transfer, UniEmitter<? super T> emitter) {
            this.transfer = transfer;
            this.emitter = emitter;
        }

        /** Called holding a slot, which the transfer's end gives back (or this call, when it was cancelled). */
        @Override
        public void run() {
            synchronized (this) {
                if (cancelled) {
                    giveBack();
                    return;
                }
            }
            Uni<T> uni;
            try {
                uni = transfer.get();
            } catch (RuntimeException e) {
                giveBack();
                emitter.fail(e);
                return;
            }
            Cancellable subscription = uni.onTermination().invoke(this::giveBack)
                    .subscribe().with(emitter::complete, emitter::fail);
            synchronized (this) {
                running = subscription;
                if (cancelled) {
                    subscription.cancel();
                }
            }
        }

        void cancel() {
            Cancellable subscription;
            synchronized (this) {
                cancelled = true;
                subscription = running;
            }
            synchronized (TransferSlots.this) {
                waiting.remove(this);
            }
            if (subscription != null) {
                subscription.cancel();
            }
        }

        /** The termination callback may run twice (an item, then a cancel racing it): the slot is freed once. */
        private void giveBack() {
            if (released.compareAndSet(false, true)) {
                release();
            }
        }
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Hands the slot to the next waiting transfer, or frees it. Started by a loop rather than by recursion: a next
     * transfer that ends at once (fails synchronously) releases again while this call is still running.
     */
    private void release() {
        synchronized (this) {
            pendingReleases++;
            if (releasing) {
                return;
            }
            releasing = true;
        }
        while (true) {
            Runnable next;
            synchronized (this) {
                if (pendingReleases == 0) {
                    releasing = false;
                    return;
                }
                pendingReleases--;
                next = waiting.poll();
                if (next == null) {
                    running--;
                    continue;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // a transfer's start never throws (Start catches its own), but a slot must not leak if one did
                LOG.errorf(e, "a transfer failed to start");
            }
        }
    }
}
