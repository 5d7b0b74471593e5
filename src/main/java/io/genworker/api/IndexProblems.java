package io.genworker.api;

import java.util.List;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details (`application/problem+json`) for the index's reads. */
@Provider
public class IndexProblems implements ExceptionMapper<IndexProblem> {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Problem types are URNs under this prefix plus a slug (job-not-found, invalid-parameters...). */
    public static final String TYPE_PREFIX = "urn:genworker:problem:";

    @Context
    UriInfo uri;

    /** The problem document. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Problem(String type, String title, int status, String detail, String instance,
            List<IndexProblem.FieldError> errors) {
    }

    @Override
    public Response toResponse(IndexProblem problem) {
        String instance = uri == null ? null : uri.getRequestUri().getRawPath();
        return Response.status(problem.status()).type(MEDIA_TYPE)
                .entity(new Problem(TYPE_PREFIX + problem.type(), problem.title(), problem.status(),
                        problem.getMessage(), instance, problem.errors()))
                .build();
    }
}
