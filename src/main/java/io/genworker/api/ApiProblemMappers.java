package io.genworker.api;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Every error of a JAX-RS endpoint as RFC 9457 problem details: the API's own refusals, the framework's (404, 405,
 * 406, 415 and other 4xx), security's (401 with the challenges of {@link ApiChallenge}, 403), and anything
 * unexpected as a 500 that names nothing of the cause. Errors raised before a request reaches JAX-RS
 * (authentication, path permissions) are written by {@link ApiProblemFailures}.
 */
public class ApiProblemMappers {

    private static final Logger LOG = Logger.getLogger(ApiProblemMappers.class);

    @Inject
    ApiConfig config;

    @ServerExceptionMapper
    public Response problem(ApiProblemException e) {
        return e.problem().response().build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Response original = e.getResponse();
        int status = original == null ? 500 : original.getStatus();
        ApiProblem.Kind kind = ApiProblem.Kind.ofStatus(status);
        Response.ResponseBuilder answer = ApiProblem.of(kind, status, detail(kind), path(uri))
                .response();
        if (original != null) {
            for (Map.Entry<String, List<Object>> header : original.getHeaders().entrySet()) {
                if (keep(header.getKey())) {
                    header.getValue().forEach(value -> answer.header(header.getKey(), value));
                }
            }
        }
        return answer.build();
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e, UriInfo uri) {
        Response.ResponseBuilder answer = ApiProblem.of(ApiProblem.Kind.UNAUTHORIZED,
                ApiChallenge.detail(config), path(uri)).response();
        ApiChallenge.of(config).forEach(challenge -> answer.header(ApiChallenge.HEADER, challenge));
        return answer.build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return ApiProblem.of(ApiProblem.Kind.FORBIDDEN,
                "Submit, cancel, retry and bulk actions need the operator role", path(uri)).response().build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.errorf(e, "API: unexpected failure on %s", path(uri));
        return ApiProblem.of(ApiProblem.Kind.INTERNAL, "The worker could not answer this request", path(uri))
                .response().build();
    }

    private static String detail(ApiProblem.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> "No API resource at this path";
            case METHOD_NOT_ALLOWED -> "This resource does not take this method";
            case UNSUPPORTED_MEDIA_TYPE -> "Send application/json";
            case NOT_ACCEPTABLE -> "This resource answers application/json (problems: application/problem+json)";
            default -> null;
        };
    }

    /** Headers of the framework's answer worth keeping (Allow on a 405); not its body's. */
    private static boolean keep(String header) {
        return !HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(header)
                && !HttpHeaders.CONTENT_LENGTH.equalsIgnoreCase(header);
    }

    static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
