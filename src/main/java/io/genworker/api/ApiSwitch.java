package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.vertx.ext.web.Router;

/** With {@code worker.api.enabled=false}, every {@code /v1} path answers 404, the OpenAPI document included. */
@ApplicationScoped
public class ApiSwitch {

    static final String API_PATHS = "/v1/*";

    private final ApiConfig config;
    private final ApiProblemFailures problems;

    @Inject
    public ApiSwitch(ApiConfig config, ApiProblemFailures problems) {
        this.config = config;
        this.problems = problems;
    }

    void install(@Observes Router router) {
        if (config.enabled()) {
            return;
        }
        router.route(API_PATHS).order(Integer.MIN_VALUE).handler(context -> problems.write(context,
                ApiProblem.of(ApiProblem.Kind.NOT_FOUND, "The API is off (worker.api.enabled=false)",
                        context.request().path())));
    }
}
