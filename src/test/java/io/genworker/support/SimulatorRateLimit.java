package io.genworker.support;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.genworker.support.ProviderSimulator.Fault;

/**
 * One provider account's rate limit, as the provider enforces it: at most N calls accepted over any sliding second,
 * counted across every caller of the account (every worker, whichever of the account's keys it holds); a call over
 * it is refused with 429. Segmind's docs list "429 Rate Limited: Too many requests" with the details in the body;
 * the AI/ML API's docs list no code for it, and neither publishes the limit or mentions Retry-After. The refusal
 * carries Retry-After anyway (RFC 6585 allows it, and a worker must honour it when a provider sends it): the
 * seconds until the oldest accepted call leaves the window, at least 1. Only accepted calls fill the window, so a
 * caller that keeps knocking is not locked out for longer. Off (every call accepted) until a limit is set.
 */
final class SimulatorRateLimit {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final String refusalBody;
    /** Arrival times (System.nanoTime) of the calls accepted within the last second. */
    private final ArrayDeque<Long> window = new ArrayDeque<>();
    private int perSecond;
    private long accepted;
    private long refused;

    /** @param refusalBody the 429's body, in the provider's own error format */
    SimulatorRateLimit(String refusalBody) {
        this.refusalBody = refusalBody;
    }

    /** At most this many calls a second from now on; 0 turns the limit off. */
    synchronized void perSecond(int calls) {
        this.perSecond = calls;
        window.clear();
    }

    /** The 429 for a call arriving now, or null when the call is within the limit (it is then counted). */
    synchronized Fault admit(long now) {
        while (!window.isEmpty() && now - window.peekFirst() >= SECOND) {
            window.pollFirst();
        }
        if (perSecond > 0 && window.size() >= perSecond) {
            refused++;
            long seconds = (window.peekFirst() + SECOND - now + SECOND - 1) / SECOND;
            return new Fault(429, Long.toString(Math.max(1, seconds)), refusalBody, Duration.ZERO, false);
        }
        if (perSecond > 0) {
            window.addLast(now);
        }
        accepted++;
        return null;
    }

    /** Calls that passed the limit (every call while it is off). */
    synchronized long accepted() {
        return accepted;
    }

    /** Calls refused with 429 for the limit. */
    synchronized long refused() {
        return refused;
    }
}
