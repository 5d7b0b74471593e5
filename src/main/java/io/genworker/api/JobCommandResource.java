package io.genworker.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.intake.CancelCommandReader;
import io.genworker.intake.ReadOutcome;
import io.genworker.intake.RequestReader;
import io.genworker.job.ErrorDetail;
import io.genworker.job.TraceContext;
import io.genworker.kafka.TraceHeaders;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The API's writes: a request submitted over HTTP goes to the request topic exactly as a Kafka client would send
 * it (checked first by intake's own {@link RequestReader}, so a refusal comes back at once), a cancel goes to the
 * control topic. Each is answered 202 once the broker holds it; what becomes of the job is its status and result.
 */
@Path("/v1/jobs")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobCommandResource {

    private static final Logger LOG = Logger.getLogger(JobCommandResource.class);
    /** The rule a request without any job id breaks; the API gives it one instead. */
    private static final String NO_JOB_ID = "required (record key or jobId)";

    private final RequestReader reader;
    private final CancelCommandReader cancels;
    private final ApiTopicWriter writer;
    private final WorkerConfig worker;
    private final SecurityIdentity identity;

    @Inject
    public JobCommandResource(RequestReader reader, CancelCommandReader cancels, ApiTopicWriter writer,
            WorkerConfig worker, SecurityIdentity identity) {
        this.reader = reader;
        this.cancels = cancels;
        this.writer = writer;
        this.worker = worker;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(ApiRoles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a generation request",
            description = "The same envelope as a request on the request topic. A request without jobId gets one "
                    + "(a UUID). A job id already known is the same job: it is not submitted again.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiDocument.SubmitRequest.class)))
    @APIResponse(responseCode = "202", description = "Written to the request topic",
            content = @Content(schema = @Schema(implementation = JobAccepted.class)))
    @APIResponse(responseCode = "400", description = "The request breaks a rule; errors lists each",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "413", description = "Body over worker.intake.max-record-bytes",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "503", description = "The broker did not acknowledge in time; send it again",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "401", description = "No valid credentials",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "403", description = "Not an operator",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    public Uni<Response> submit(byte[] body, @Context UriInfo uri, @Context HttpHeaders headers) {
        String path = ApiProblemMappers.path(uri);
        byte[] value = body == null ? new byte[0] : body;
        int limit = worker.intake().maxRecordBytes();
        if (value.length > limit) {
            throw problem(ApiProblem.of(ApiProblem.Kind.PAYLOAD_TOO_LARGE,
                    "A request is at most " + limit + " bytes, this one is " + value.length, path));
        }
        ReadOutcome outcome = reader.read(null, value, null);
        String generatedId = null;
        if (outcome instanceof ReadOutcome.Invalid invalid && lacksJobId(invalid)) {
            generatedId = UUID.randomUUID().toString();
            outcome = reader.read(generatedId, value, generatedId);
        }
        if (outcome instanceof ReadOutcome.Undecodable undecodable) {
            throw problem(ApiProblem.of(ApiProblem.Kind.UNREADABLE_BODY, undecodable.reason(), path));
        }
        if (outcome instanceof ReadOutcome.Invalid invalid) {
            throw problem(ApiProblem.invalid(invalid.error().message(), path, fieldErrors(invalid.error().details())));
        }
        String jobId = ((ReadOutcome.Valid) outcome).request().jobId();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(worker.topics().requests(), jobId, value);
        trace(headers, record);
        LOG.debugf("API: job %s submitted by %s", jobId, ApiActions.caller(identity));
        return write(record, jobId, uri, path);
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(ApiRoles.OPERATOR)
    @Operation(summary = "Cancel a job",
            description = "Writes a cancel command to the control topic. Accepted is not done: the job's state and "
                    + "result tell the outcome (a job already finished is left as it is).")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiDocument.CancelRequest.class)))
    @APIResponse(responseCode = "202", description = "Written to the control topic",
            content = @Content(schema = @Schema(implementation = JobAccepted.class)))
    @APIResponse(responseCode = "400", description = "A bad job id or body",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "503", description = "The broker did not acknowledge in time; send it again",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "401", description = "No valid credentials",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    @APIResponse(responseCode = "403", description = "Not an operator",
            content = @Content(mediaType = ApiProblem.MEDIA_TYPE, schema = @Schema(implementation = ApiProblem.class)))
    public Uni<Response> cancel(@PathParam("id") String id, byte[] body, @Context UriInfo uri,
            @Context HttpHeaders headers) {
        String path = ApiProblemMappers.path(uri);
        List<ErrorDetail> idProblems = reader.jobIdProblems(id);
        if (!idProblems.isEmpty()) {
            throw problem(ApiProblem.invalid("Not a job id", path, fieldErrors(idProblems)));
        }
        byte[] value = body == null ? new byte[0] : body;
        if (value.length > 0 && !isJson(headers.getMediaType())) {
            throw problem(ApiProblem.of(ApiProblem.Kind.UNSUPPORTED_MEDIA_TYPE, "Send application/json", path));
        }
        return requestCancel(id, value, uri, headers);
    }

    /**
     * The cancel of {@code POST /v1/jobs/{id}/cancel} with this JSON body (empty for none), for the console's back
     * end; {@code headers} may be null (no trace context to carry).
     */
    @RolesAllowed(ApiRoles.OPERATOR)
    public Uni<Response> requestCancel(String id, byte[] value, UriInfo uri, HttpHeaders headers) {
        String path = ApiProblemMappers.path(uri);
        List<ErrorDetail> idProblems = reader.jobIdProblems(id);
        if (!idProblems.isEmpty()) {
            throw problem(ApiProblem.invalid("Not a job id", path, fieldErrors(idProblems)));
        }
        byte[] command = CancelCommand.read(id, value, ApiActions.caller(identity), path).toJson();
        // Intake's own reader has the last word: what it would dead-letter is refused here.
        if (cancels.read(id, command, Instant.now()) instanceof CancelCommandReader.Unreadable unreadable) {
            throw problem(ApiProblem.of(ApiProblem.Kind.INVALID_REQUEST, 400, unreadable.reason(), path));
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(worker.topics().control(), id, command);
        if (headers != null) {
            trace(headers, record);
        }
        LOG.infof("API: cancel of job %s requested by %s", id, ApiActions.caller(identity));
        return write(record, id, uri, path);
    }

    private Uni<Response> write(ProducerRecord<String, byte[]> record, String jobId, UriInfo uri, String path) {
        URI status = uri.getBaseUriBuilder().path("v1").path("jobs").segment(jobId).build();
        return writer.write(record)
                .map(acked -> Response.accepted(new JobAccepted(jobId, status.toString())).location(status).build())
                .onFailure(ApiTopicWriter.NotAcknowledged.class).transform(failure -> problem(ApiProblem.of(
                        ApiProblem.Kind.BROKER_UNAVAILABLE,
                        "Job " + jobId + " may not have been written: send it again with the same jobId", path)));
    }

    private static boolean lacksJobId(ReadOutcome.Invalid invalid) {
        return invalid.error().details().stream()
                .anyMatch(d -> "jobId".equals(d.field()) && NO_JOB_ID.equals(d.rule()));
    }

    static List<ApiProblem.FieldError> fieldErrors(List<ErrorDetail> details) {
        return details == null ? List.of()
                : details.stream().map(d -> new ApiProblem.FieldError(d.field(), d.rule())).toList();
    }

    private static boolean isJson(MediaType type) {
        return type != null && "application".equals(type.getType())
                && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
    }

    /** The caller's W3C trace context goes on with the record, as a Kafka client's would. */
    private static void trace(HttpHeaders headers, ProducerRecord<String, byte[]> record) {
        List<String> parents = headers.getRequestHeader(TraceContext.TRACEPARENT);
        if (parents == null || parents.size() != 1) {
            return;
        }
        List<String> states = headers.getRequestHeader(TraceContext.TRACESTATE);
        String state = states == null || states.size() != 1 ? null : states.get(0);
        TraceContext.of(parents.get(0), state).ifPresent(trace -> TraceHeaders.write(trace, record.headers()));
    }

    private static ApiProblemException problem(ApiProblem problem) {
        return new ApiProblemException(problem);
    }

    /** What a write answers: the job and where its status is. */
    @Schema(name = "JobAccepted")
    public record JobAccepted(String jobId, String status) {
    }
}
