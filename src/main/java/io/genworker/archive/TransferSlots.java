package io.genworker.archive;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * At most {@code max} transfers at once; the others wait in order, without a thread. Each transfer holds at most one
 * multipart part in memory, so this bounds the heap copies take. Hand-rolled because Mutiny has no asynchronous
 * semaphore, and a waiting transfer must be cancellable (its job handed over) without holding a slot.
 */
final class TransferSlots {

    private final int max;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private int running;

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

    /** One transfer, waiting or running; cancelled by its subscriber's termination. */
    private final class Start<T> implements Runnable {

        private final Supplier<Uni<T>> transfer;
        private final UniEmitter<? super T> emitter;
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
                    release();
                    return;
                }
            }
            Cancellable subscription = transfer.get()
                    .onTermination().invoke(TransferSlots.this::release)
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
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
            }
        }
        if (next != null) {
            next.run();
        }
    }
}
