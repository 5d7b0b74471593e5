package io.genworker.api;

import java.util.List;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem details object, the body of every error the API answers ({@value #MEDIA_TYPE}). {@code type}
 * names the kind of problem ({@code urn:genworker:problem:<kind>}, as the index's problems), {@code instance} the request path;
 * {@code errors} lists each broken rule of a refused request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record ApiProblem(String type, String title, int status, String detail, String instance,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);
    private static final String TYPE_PREFIX = "urn:genworker:problem:";

    /** One broken rule: the field (a JSON path such as {@code input.duration}) and the rule's name. */
    @Schema(name = "FieldError")
    public record FieldError(String field, String rule) {
    }

    public static ApiProblem of(Kind kind, String detail, String instance) {
        return new ApiProblem(TYPE_PREFIX + kind.slug, kind.title, kind.status, detail, instance, null);
    }

    /** A problem of the kind under another status of the same class (a 409 reported as a bad request...). */
    public static ApiProblem of(Kind kind, int status, String detail, String instance) {
        return new ApiProblem(TYPE_PREFIX + kind.slug, kind.title, status, detail, instance, null);
    }

    public static ApiProblem invalid(String detail, String instance, List<FieldError> errors) {
        return new ApiProblem(TYPE_PREFIX + Kind.INVALID_REQUEST.slug, Kind.INVALID_REQUEST.title, 400, detail,
                instance, List.copyOf(errors));
    }

    public Response.ResponseBuilder response() {
        return Response.status(status).type(MEDIA).entity(this);
    }

    /** The kinds of problem the API reports, each with its status and title. */
    public enum Kind {
        INVALID_REQUEST(400, "invalid-request", "The request breaks the API's rules"),
        UNREADABLE_BODY(400, "unreadable-body", "The request body is not a readable JSON object"),
        UNAUTHORIZED(401, "unauthorized", "Authentication required"),
        FORBIDDEN(403, "forbidden", "Not allowed for this caller's role"),
        NOT_FOUND(404, "not-found", "No such resource"),
        CONFLICT(409, "conflict", "The job's state does not allow this"),
        TOO_MANY(422, "too-many-jobs", "The filter matches more jobs than one bulk action may act on"),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed on this resource"),
        NOT_ACCEPTABLE(406, "not-acceptable", "No acceptable representation"),
        PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported content type"),
        BAD_REQUEST(400, "bad-request", "Bad request"),
        BROKER_UNAVAILABLE(503, "broker-unavailable", "The broker did not acknowledge the write in time"),
        INTERNAL(500, "internal", "Internal error");

        final int status;
        final String slug;
        final String title;

        Kind(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }

        /** The kind an HTTP error status stands for, when the API has one of its own for it. */
        static Kind ofStatus(int status) {
            for (Kind kind : values()) {
                if (kind.status == status && kind != INVALID_REQUEST && kind != UNREADABLE_BODY) {
                    return kind;
                }
            }
            return status >= 500 ? INTERNAL : BAD_REQUEST;
        }
    }
}
