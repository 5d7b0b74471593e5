package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.genworker.support.ProviderSimulator.Call;
import io.genworker.support.ProviderSimulator.Fault;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * One call through the simulator: logged, then answered by the provider's normal handler or by the fault the
 * script has for it (a status and body, a reset connection, a late start or a late answer).
 */
final class SimulatorExchange {

    private final Vertx vertx;
    private final SimulatorFaultScript faults;
    private final SimulatorCallLog log;
    private final Map<HttpServerRequest, Duration> lateAnswers = new ConcurrentHashMap<>();
    private volatile Duration submitAnswerDelay = Duration.ZERO;

    SimulatorExchange(Vertx vertx, SimulatorFaultScript faults, SimulatorCallLog log) {
        this.vertx = vertx;
        this.faults = faults;
        this.log = log;
    }

    SimulatorCallLog log() {
        return log;
    }

    /** Every submission that gets no fault is handled at once and answered this much later. */
    void submitAnswerDelay(Duration delay) {
        this.submitAnswerDelay = delay;
    }

    /**
     * A call of one operation ("submit" or "poll") for the job of this prompt (null when unknown), to the account
     * whose rate limit it counts against. A scripted fault comes first: a call it answers does not reach the limit.
     */
    void call(HttpServerRequest request, SimulatorRateLimit account, String operation, String prompt,
            Runnable normal) {
        Fault fault = faults.next(operation, prompt);
        if (fault == null) {
            fault = account.admit(System.nanoTime());
        }
        log.called(new Call(operation, prompt, keyOf(request), Instant.now(), fault));
        if (fault == null) {
            answerLate(request, ProviderSimulator.SUBMIT.equals(operation) ? submitAnswerDelay : Duration.ZERO);
            normal.run();
        } else if (fault.reset()) {
            request.connection().close();
        } else if (fault.lateAnswer()) {
            answerLate(request, fault.delay());
            normal.run();
        } else if (!fault.delay().isZero()) {
            vertx.setTimer(fault.delay().toMillis(), id -> normal.run());
        } else {
            reply(request, fault.status(), fault.retryAfter(), fault.body());
        }
    }

    /** The call is handled now; whatever its handler answers goes out after the delay. */
    private void answerLate(HttpServerRequest request, Duration delay) {
        if (!delay.isZero()) {
            lateAnswers.put(request, delay);
        }
    }

    void reply(HttpServerRequest request, int status, String body) {
        reply(request, status, null, body);
    }

    private void reply(HttpServerRequest request, int status, String retryAfter, String body) {
        Duration late = lateAnswers.remove(request);
        if (late != null) {
            vertx.setTimer(late.toMillis(), id -> reply(request, status, retryAfter, body));
            return;
        }
        var response = request.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (retryAfter != null) {
            response.putHeader("Retry-After", retryAfter);
        }
        if (!response.closed()) {
            response.end(body == null ? "" : body);
        }
    }

    private static String keyOf(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return authorization.substring("Bearer ".length());
        }
        return request.getHeader("x-api-key");
    }
}
