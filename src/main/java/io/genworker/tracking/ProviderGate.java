package io.genworker.tracking;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.genworker.provider.ProviderOperation;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * The way out to one provider, shared by submits and polls: at most N calls in flight and R started per second.
 * Callers wait in one queue in the order they became due, so no call is dropped and none is starved; waiting costs
 * a queue entry and at most one timer, never a thread. Confined to the tracker's context.
 * <p>
 * The rate comes from resilience4j's limiter, which can reserve a permit and say how long until it is valid without
 * blocking. The queue and the in-flight cap are our own: a library bulkhead would not keep the order, and the slot
 * must cover more than the HTTP call (a job writes SUBMITTING only once it holds a slot, so a crash during a burst
 * leaves at most N jobs with an uncertain submission, not every job waiting in the HTTP client's queue).
 */
final class ProviderGate {

    /** Reserves the next permit; returns the nanoseconds until it may be used (0: now). */
    interface Permits {
        long reserve();

        static Permits unlimited() {
            return () -> 0;
        }

        /**
         * R permits a second, handed out in tenths of a second so that a second's worth never goes out at once; below
         * 10 a second, one permit every 1/R s. R need not be whole: a worker's share of an account's rate rarely is.
         */
        static Permits perSecond(String name, double requestsPerSecond) {
            return perSecond(name, requestsPerSecond, false);
        }

        /**
         * As {@link #perSecond(String, double)}, but the first period's permits are spent already: for a rate that
         * replaces another (a new share of the account), which has just handed out its own. Every worker changes its
         * rate at the same rebalance; a full period each would be a burst of a tenth of the account on top.
         */
        static Permits perSecondFromNow(String name, double requestsPerSecond) {
            return perSecond(name, requestsPerSecond, true);
        }

        private static Permits perSecond(String name, double requestsPerSecond, boolean drained) {
            double rate = Math.max(MIN_RATE, requestsPerSecond);
            int perTenth = Math.max(1, (int) (rate / 10));
            Duration period = Duration.ofNanos(Math.max(1, Math.round(1e9 * perTenth / rate)));
            RateLimiter limiter = RateLimiter.of(name, RateLimiterConfig.custom()
                    .limitForPeriod(perTenth)
                    .limitRefreshPeriod(period)
                    // Reservations never time out: the queue, not the limiter, decides who waits.
                    .timeoutDuration(Duration.ofDays(1))
                    .build());
            if (drained) {
                limiter.drainPermissions();
            }
            return limiter::reservePermission;
        }
    }

    /** Runs a task after a delay, on the gate's context. */
    interface Timers {
        void after(long nanos, Runnable task);
    }

    /** Told how long each call waited for its turn. */
    interface WaitListener {
        void waited(ProviderOperation operation, long nanos);
    }

    private record Waiter(ProviderOperation operation, long since, BooleanSupplier cancelled, Consumer<Slot> user) {
    }

    private static final Logger LOG = Logger.getLogger(ProviderGate.class);
    private static final long NO_PERMIT = Long.MIN_VALUE;
    /** Below this a limiter would hand out a permit less than once a minute: no share of an account is that small. */
    private static final double MIN_RATE = 1.0 / 60;

    private int limit;
    private Permits permits;
    private final Timers timers;
    private final LongSupplier nanoTime;
    private final WaitListener listener;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int inUse;
    /** When the permit reserved for the head of the queue becomes valid; NO_PERMIT when none is reserved. */
    private long headPermitAt = NO_PERMIT;
    /** When the pending timer fires; NO_PERMIT when none is pending. */
    private long timerAt = NO_PERMIT;

    ProviderGate(int limit, Permits permits, Timers timers, LongSupplier nanoTime, WaitListener listener) {
        this.limit = Math.max(1, limit);
        this.permits = permits;
        this.timers = timers;
        this.nanoTime = nanoTime;
        this.listener = listener;
    }

    /**
     * Runs the user once a slot is free and the rate allows; the user must release it (twice is harmless). A waiter
     * that is cancelled by the time its turn comes (its job was handed over) is skipped without using a permit or a
     * slot.
     */
    void acquire(ProviderOperation operation, BooleanSupplier cancelled, Consumer<Slot> user) {
        waiting.add(new Waiter(operation, nanoTime.getAsLong(), cancelled, user));
        grant();
    }

    /**
     * New limits, from now on: the calls in flight finish, and no new one starts while more than {@code limit} are.
     * The permit reserved for the head of the queue is dropped, as it was timed by the old rate (a rate raised from
     * one a second would otherwise keep the head waiting for up to a second).
     */
    void adjust(int limit, Permits permits) {
        this.limit = Math.max(1, limit);
        this.permits = permits;
        headPermitAt = NO_PERMIT;
        grant();
    }

    int limit() {
        return limit;
    }

    int inUse() {
        return inUse;
    }

    int waiting() {
        return waiting.size();
    }

    private void grant() {
        while (inUse < limit && !waiting.isEmpty()) {
            long now = nanoTime.getAsLong();
            if (headPermitAt == NO_PERMIT && waiting.peek().cancelled().getAsBoolean()) {
                waiting.poll();
                continue;
            }
            if (headPermitAt == NO_PERMIT) {
                // -1 would mean "not within the limiter's timeout", which is a day: never for one permit.
                headPermitAt = now + Math.max(0, permits.reserve());
            }
            if (headPermitAt > now) {
                // One timer at a time, unless the permit is due before it (after an adjustment): a timer that finds
                // nothing to do is harmless.
                if (timerAt == NO_PERMIT || headPermitAt < timerAt) {
                    long at = headPermitAt;
                    timerAt = at;
                    timers.after(at - now, () -> {
                        if (timerAt == at) {
                            timerAt = NO_PERMIT;
                        }
                        grant();
                    });
                }
                return;
            }
            headPermitAt = NO_PERMIT;
            Waiter next = waiting.poll();
            inUse++;
            Slot slot = new Slot();
            try {
                listener.waited(next.operation(), now - next.since());
                next.user().accept(slot);
            } catch (RuntimeException e) {
                // The user could not start its call: the slot must not stay taken, or the queue would stall.
                LOG.errorf(e, "a %s call could not start", next.operation());
                slot.release();
            }
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
