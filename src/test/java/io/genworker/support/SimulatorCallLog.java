package io.genworker.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.genworker.support.ProviderSimulator.Call;
import io.vertx.core.json.JsonObject;

/**
 * What reached the simulator, for tests to count and time: every call (faulted or not, with its arrival time and
 * the fault it got), the submissions the providers accepted (by prompt, and their bodies) and the reads answered
 * normally.
 */
final class SimulatorCallLog {

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> submissionsByPrompt = new ConcurrentHashMap<>();
    private final List<JsonObject> submittedBodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();

    void called(Call call) {
        calls.add(call);
    }

    /** A submission the provider accepted (and would charge for). */
    void accepted(String prompt, JsonObject body) {
        submissions.incrementAndGet();
        submittedBodies.add(body);
        submissionsByPrompt.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
    }

    /** A status or result read that got the provider's normal answer. */
    void polled() {
        polls.incrementAndGet();
    }

    List<Call> calls() {
        return calls;
    }

    /** Calls of one operation for the job whose prompt contains this text, in arrival order. */
    List<Call> callsOf(String operation, String promptPart) {
        return calls.stream().filter(c -> c.operation().equals(operation) && c.prompt() != null
                && c.prompt().contains(promptPart)).toList();
    }

    int faulted() {
        return (int) calls.stream().filter(Call::faulted).count();
    }

    int submissions() {
        return submissions.get();
    }

    int polls() {
        return polls.get();
    }

    Map<String, AtomicInteger> submissionsByPrompt() {
        return submissionsByPrompt;
    }

    List<JsonObject> submittedBodies() {
        return submittedBodies;
    }
}
