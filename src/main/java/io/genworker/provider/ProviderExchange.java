package io.genworker.provider;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;

/**
 * One provider's HTTP calls as the adapters see them: every answer counted and timed by operation, transport
 * failures classified, bodies read as text so a malformed one never escapes as a client exception.
 */
public final class ProviderExchange {

    /** What came back: status, Retry-After header and the raw body. */
    public record Answer(int status, String retryAfter, String body) {

        public boolean successful() {
            return status >= 200 && status < 300;
        }
    }

    private final String provider;
    private final ObjectMapper mapper;
    private final WorkerMetrics metrics;
    private final Clock clock;

    public ProviderExchange(String provider, ObjectMapper mapper, WorkerMetrics metrics, Clock clock) {
        this.provider = provider;
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
    }

    public Uni<Answer> send(ProviderOperation operation, Uni<Response> request) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return request.onItemOrFailure().invoke((response, failure) -> metrics.providerCallDuration(provider,
                    operation.tag(), Duration.ofNanos(System.nanoTime() - start)));
        })
                .onFailure().transform(failure -> {
                    ProviderCallException e = ProviderErrors.fromTransport(provider, operation, failure);
                    metrics.providerCall(provider, operation.tag(), "error");
                    return e;
                })
                .map(response -> {
                    int status = response.getStatus();
                    metrics.providerCall(provider, operation.tag(), Integer.toString(status));
                    String text = response.hasEntity() ? response.readEntity(String.class) : "";
                    return new Answer(status, response.getHeaderString("Retry-After"), text);
                });
    }

    /** The JSON object of a 2xx answer; any other answer becomes the classified exception. */
    public JsonNode json(ProviderOperation operation, Answer answer) {
        if (!answer.successful()) {
            throw ProviderErrors.fromResponse(provider, operation, answer.status(), answer.retryAfter(),
                    answer.body(), clock.instant());
        }
        JsonNode json = parse(answer.body());
        if (json == null || !json.isObject()) {
            throw ProviderErrors.unreadable(provider, operation, "not a JSON object", answer.body());
        }
        return json;
    }

    /** The body as JSON, or null when it is empty or malformed. */
    public JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
