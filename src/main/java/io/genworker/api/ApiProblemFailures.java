package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Problem details for the errors the HTTP layer answers before JAX-RS sees a request: a credential that does not
 * authenticate or none at all (401, with the challenges of {@link ApiChallenge}), a path its permissions refuse
 * (403), a body over the size limit (413). Other failures go on to the next handler.
 */
@ApplicationScoped
public class ApiProblemFailures {

    private final ObjectMapper json;
    private final ApiConfig config;

    @Inject
    public ApiProblemFailures(ObjectMapper json, ApiConfig config) {
        this.json = json;
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerResponse response = context.response();
        ApiProblem.Kind kind = kindOf(context);
        // The console's pages answer a browser: its login redirect and plain refusals are the form mechanism's.
        if (kind == null || response.ended() || response.headWritten() || isConsole(context)) {
            context.next();
            return;
        }
        if (kind == ApiProblem.Kind.UNAUTHORIZED) {
            response.headers().remove(ApiChallenge.HEADER);
            ApiChallenge.of(config).forEach(challenge -> response.headers().add(ApiChallenge.HEADER, challenge));
        }
        String detail = kind == ApiProblem.Kind.UNAUTHORIZED ? ApiChallenge.detail(config) : detail(kind);
        write(context, ApiProblem.of(kind, detail, context.request().path()));
    }

    /** Ends the exchange with the problem (headers already set, such as a challenge, stay). */
    void write(RoutingContext context, ApiProblem problem) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        context.response().setStatusCode(problem.status())
                .putHeader("Content-Type", ApiProblem.MEDIA_TYPE)
                .end(Buffer.buffer(body));
    }

    private static boolean isConsole(RoutingContext context) {
        String path = context.request().path();
        return path != null && (path.equals("/console") || path.startsWith("/console/"));
    }

    private static ApiProblem.Kind kindOf(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException) {
            return ApiProblem.Kind.UNAUTHORIZED;
        }
        if (failure instanceof ForbiddenException) {
            return ApiProblem.Kind.FORBIDDEN;
        }
        return switch (context.statusCode()) {
            case 401 -> ApiProblem.Kind.UNAUTHORIZED;
            case 403 -> ApiProblem.Kind.FORBIDDEN;
            case 413 -> ApiProblem.Kind.PAYLOAD_TOO_LARGE;
            default -> null;
        };
    }

    private static String detail(ApiProblem.Kind kind) {
        return switch (kind) {
            case FORBIDDEN -> "This caller's role does not allow this";
            case PAYLOAD_TOO_LARGE -> "The body exceeds the HTTP limit";
            default -> null;
        };
    }
}
