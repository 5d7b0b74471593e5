package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import io.genworker.support.ProviderSimulator.Fault;

/**
 * Which fault, if any, answers a call instead of the provider: one targeted at the call's job (by a part of its
 * prompt, the job id in tests), else the outage's 503 while one lasts. There is no queue any job may take from: a
 * test must know which job received its faults.
 */
final class SimulatorFaultScript {

    private static final Fault OUTAGE = Fault.body(503, "{\"message\":\"Service Unavailable\"}");

    private final Map<String, Map<String, ConcurrentLinkedDeque<Fault>>> targeted = new ConcurrentHashMap<>();
    private volatile Instant outageUntil = Instant.MIN;

    void failCallsOf(String operation, String promptPart, Fault... faults) {
        queue(targeted.computeIfAbsent(operation, o -> new ConcurrentHashMap<>()), promptPart)
                .addAll(List.of(faults));
    }

    void outageFor(Duration duration) {
        outageUntil = Instant.now().plus(duration);
    }

    boolean inOutage() {
        return Instant.now().isBefore(outageUntil);
    }

    /** The fault for this call, taken off its queue; null when the provider answers normally. */
    Fault next(String operation, String prompt) {
        Fault fault = targetedAt(targeted.getOrDefault(operation, Map.of()), prompt);
        if (fault == null && inOutage()) {
            fault = OUTAGE;
        }
        return fault;
    }

    private static Fault targetedAt(Map<String, ConcurrentLinkedDeque<Fault>> faults, String prompt) {
        if (prompt == null) {
            return null;
        }
        for (Map.Entry<String, ConcurrentLinkedDeque<Fault>> entry : faults.entrySet()) {
            if (prompt.contains(entry.getKey())) {
                Fault fault = entry.getValue().poll();
                if (fault != null) {
                    return fault;
                }
            }
        }
        return null;
    }

    private static <K> ConcurrentLinkedDeque<Fault> queue(Map<K, ConcurrentLinkedDeque<Fault>> queues, K key) {
        return queues.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    }
}
