package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What the {@code /v1} paths answer before anything reads a request: 404 to everything with
 * {@code worker.api.enabled=false} (the OpenAPI document included), and 413 to a body that says it is over the HTTP
 * server's limit (the server would end such a call with an empty 413 of its own).
 */
@ApplicationScoped
public class ApiSwitch {

    static final String API_PATHS = "/v1/*";

    private final ApiConfig config;
    private final ApiProblemFailures problems;
    private final long maxBodyBytes;

    @Inject
    public ApiSwitch(ApiConfig config, ApiProblemFailures problems,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.config = config;
        this.problems = problems;
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route(API_PATHS).order(Integer.MIN_VALUE).handler(this::handle);
    }

    private void handle(RoutingContext context) {
        if (!config.enabled()) {
            problems.write(context, ApiProblem.of(ApiProblem.Kind.NOT_FOUND,
                    "The API is off (worker.api.enabled=false)", context.request().path()));
            return;
        }
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredOver(length)) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
            problems.write(context, ApiProblem.of(ApiProblem.Kind.PAYLOAD_TOO_LARGE,
                    "A body is at most " + maxBodyBytes + " bytes", context.request().path()));
            return;
        }
        context.next();
    }

    private boolean declaredOver(String length) {
        try {
            return Long.parseLong(length.strip()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
