package io.genworker.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.genworker.config.WorkerConfig;
import io.genworker.metrics.WorkerMetrics;

/**
 * Providers whose account is refused (401/403 bad key, 406 no credits, no key configured). While a provider is
 * paused none of its jobs calls it, except one probe per retry interval; the first answer that is not an account
 * fault lifts the pause. Jobs wait instead of failing: an empty account is no reason to burn the queue.
 */
@ApplicationScoped
public class ProviderPauses {

    /** Why a provider is paused and when the next probe may go out. */
    public record Pause(String reason, Instant since, Instant nextProbe, boolean probing) {
    }

    private final Map<String, Pause> paused = new ConcurrentHashMap<>();
    private final Duration retry;
    private final WorkerMetrics metrics;

    @jakarta.inject.Inject
    public ProviderPauses(WorkerConfig config, WorkerMetrics metrics) {
        this(config.polling().providerFaultRetry(), metrics);
    }

    public ProviderPauses(Duration retry, WorkerMetrics metrics) {
        this.retry = retry;
        this.metrics = metrics;
    }

    /**
     * Whether a call to the provider may go out now. While paused, exactly one caller per retry interval gets
     * true: the probe.
     */
    public boolean mayCall(String provider, Instant now) {
        boolean[] granted = {true};
        paused.computeIfPresent(provider, (p, pause) -> {
            if (!pause.probing() && !now.isBefore(pause.nextProbe())) {
                return new Pause(pause.reason(), pause.since(), pause.nextProbe(), true);
            }
            granted[0] = false;
            return pause;
        });
        return granted[0];
    }

    /**
     * Whether {@link #mayCall} would let a call out now (the provider is not paused, or its probe is due), without
     * granting the probe.
     */
    public boolean probeDue(String provider, Instant now) {
        Pause pause = paused.get(provider);
        return pause == null || (!pause.probing() && !now.isBefore(pause.nextProbe()));
    }

    /** How long a job refused by {@link #mayCall} should wait before asking again. */
    public Duration waitBeforeRetry(String provider, Instant now) {
        Pause pause = paused.get(provider);
        if (pause == null) {
            return Duration.ZERO;
        }
        Duration untilProbe = Duration.between(now, pause.nextProbe());
        // While a probe is out, check back soon rather than at a probe time that has already passed.
        return pause.probing() || untilProbe.isNegative() ? retry.dividedBy(4) : untilProbe;
    }

    /** The provider refused the account: pause it (or keep it paused) until the next probe. */
    public void accountRefused(String provider, String reason, Instant now) {
        paused.compute(provider, (p, pause) -> new Pause(reason, pause == null ? now : pause.since(),
                now.plus(retry), false));
        metrics.providerPaused(provider, this::isPaused);
    }

    /** The providers paused now, by name (a copy). */
    public Map<String, Pause> current() {
        return Map.copyOf(paused);
    }

    /** The provider answered in a way that proves the account works: resume it. */
    public void accountAccepted(String provider) {
        paused.remove(provider);
    }

    /** A probe got no telling answer (timeout, 5xx): stay paused, probe again later. */
    public void probeInconclusive(String provider, Instant now) {
        paused.computeIfPresent(provider, (p, pause) -> pause.probing()
                ? new Pause(pause.reason(), pause.since(), now.plus(retry), false)
                : pause);
    }

    public boolean isPaused(String provider) {
        return paused.containsKey(provider);
    }

    public Map<String, Pause> paused() {
        return Map.copyOf(paused);
    }
}
