package io.genworker.api;

import java.util.Map;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/**
 * The OpenAPI document's frame: its title, the two ways to authenticate (bearer JWT, HTTP Basic for the embedded
 * run), and the shapes of request bodies the endpoints read as raw JSON (so that intake's own reader checks them).
 * An {@link Application} because that is where the OpenAPI scanner reads these annotations; it names no resources,
 * so every resource stays served at its own path.
 */
@OpenAPIDefinition(
        info = @Info(title = "generation-worker API", version = "1",
                description = "Submit, follow and cancel AI video generations. Roles: viewer (read, no inputs) "
                        + "and operator (also submit, cancel, retry, bulk, inputs). Errors are RFC 9457 problem "
                        + "details."),
        security = { @SecurityRequirement(name = ApiDocument.BEARER), @SecurityRequirement(name = ApiDocument.BASIC) })
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = ApiDocument.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
                bearerFormat = "JWT", description = "A JWT from the configured issuer; roles in its groups claim"),
        @SecurityScheme(securitySchemeName = ApiDocument.BASIC, type = SecuritySchemeType.HTTP, scheme = "basic",
                description = "The users operator and viewer, passwords in worker.api.credentials-file") })
public class ApiDocument extends Application {

    public static final String BEARER = "bearer";
    public static final String BASIC = "basic";

    /** A generation request: the request topic's envelope. */
    @Schema(name = "SubmitRequest", description = "The envelope of a request on the request topic (see README)")
    public record SubmitRequest(
            @Schema(description = "The job id; generated (a UUID) when absent", maxLength = 128,
                    pattern = "^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$") String jobId,
            @Schema(required = true, example = "pixverse/v5/text-to-video") String model,
            @Schema(description = "aimlapi or segmind, when the model is on several") String provider,
            @Schema(required = true, description = "The provider's own parameters") Map<String, Object> input,
            @Schema(minimum = "1") Integer timeoutSeconds,
            @Schema(description = "Returned unchanged in the result") Map<String, Object> metadata) {
    }

    /** The optional body of a cancel. */
    @Schema(name = "CancelRequest")
    public record CancelRequest(@Schema(maxLength = 500) String reason) {
    }
}
