package io.genworker.archive.fetch;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.Vertx;

/**
 * A body's idle timeout that counts only while the reader has asked for bytes. The archive's reader stops asking
 * while it uploads a part to storage (backpressure), which may take minutes when storage throttles: a timer reset by
 * items alone (Mutiny's ifNoItem, a connection idle timeout) would call that a stalled provider and cut a download
 * that is merely waiting for the upload. Hand-rolled because neither Mutiny nor Vert.x offers a demand-aware one.
 */
final class IdleWatch {

    private final Vertx vertx;
    private final long idleNanos;
    private final long periodMillis;
    private final Runnable stop;
    /** Items asked for and not yet delivered (saturating). */
    private final AtomicLong outstanding = new AtomicLong();
    /** When bytes last came, or when the reader asked again after asking for nothing. */
    private final AtomicLong since = new AtomicLong(System.nanoTime());
    private final AtomicReference<RuntimeException> timedOut = new AtomicReference<>();

    /** @param stop ends the download (closes the connection); the body then fails with the timeout */
    IdleWatch(Vertx vertx, Duration idle, Runnable stop) {
        this.vertx = vertx;
        this.idleNanos = idle.toNanos();
        this.periodMillis = Math.max(20, idle.toMillis() / 4);
        this.stop = stop;
    }

    Multi<io.vertx.mutiny.core.buffer.Buffer> watch(Multi<io.vertx.mutiny.core.buffer.Buffer> body,
            Supplier<RuntimeException> timeout) {
        return Multi.createFrom().deferred(() -> {
            long timer = vertx.setPeriodic(periodMillis, id -> check(timeout));
            return body
                    .onItem().invoke(item -> {
                        outstanding.updateAndGet(n -> n == Long.MAX_VALUE ? n : Math.max(0, n - 1));
                        since.set(System.nanoTime());
                    })
                    .onRequest().invoke(n -> {
                        if (outstanding.getAndUpdate(current -> saturatedAdd(current, n)) == 0) {
                            since.set(System.nanoTime());
                        }
                    })
                    .onFailure().transform(e -> timedOut.get() != null ? timedOut.get() : e)
                    .onTermination().invoke(() -> vertx.cancelTimer(timer));
        });
    }

    private void check(Supplier<RuntimeException> timeout) {
        if (timedOut.get() == null && outstanding.get() > 0 && System.nanoTime() - since.get() > idleNanos
                && timedOut.compareAndSet(null, timeout.get())) {
            stop.run();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
