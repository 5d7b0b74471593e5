package io.genworker.api;

import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.index.IndexedJob;
import io.genworker.index.JobSearch;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/**
 * Retrying a failed or cancelled job, which needs the job index: a new job with a derived id and the same input
 * ({@link RetryRequests}), linked both ways. Safe to send again: the retry's id is derived, so a repeated one is a
 * duplicate. Every retry is logged with who asked.
 */
@Path("/v1/jobs")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRoles.OPERATOR)
public class JobActionResource {

    private static final Logger LOG = Logger.getLogger(JobActionResource.class);

    private final JobSearch search;
    private final RetryCommands retries;
    private final ApiTopicWriter writer;
    private final WorkerConfig worker;
    private final SecurityIdentity identity;

    public JobActionResource(JobSearch search, RetryCommands retries, ApiTopicWriter writer, WorkerConfig worker,
            SecurityIdentity identity) {
        this.search = search;
        this.retries = retries;
        this.writer = writer;
        this.worker = worker;
        this.identity = identity;
    }

    @POST
    @Path("{id}/retry")
    @Blocking
    @Operation(summary = "Retry a failed or cancelled job",
            description = "A new job with the id <id>.retry-<n> and the same input, linked both ways (retryOf on the"
                    + " new job, retriedAs on this one). Retrying the same job again is the same retry.")
    @APIResponse(responseCode = "202", description = "The retry's request is on the request topic",
            content = @Content(schema = @Schema(implementation = JobCommandResource.JobAccepted.class)))
    @APIResponse(responseCode = "404", description = "No such job in the index")
    @APIResponse(responseCode = "409", description = "Not FAILED or CANCELLED, retried already, or its input is"
            + " not kept")
    public Uni<Response> retry(@PathParam("id") String id, @Context UriInfo uri) {
        String path = ApiProblemMappers.path(uri);
        IndexedJob job = find(FilterParams.jobId(id, worker.intake().maxJobIdLength()), path);
        Optional<String> refusal = RetryRequests.refusal(job);
        if (refusal.isPresent()) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.CONFLICT, refusal.get(), path));
        }
        ProducerRecord<String, byte[]> record = retries.record(job, path);
        String retryId = record.key();
        LOG.infof("API: job %s retried as %s by %s", job.jobId(), retryId, ApiActions.caller(identity));
        URI status = uri.getBaseUriBuilder().path("v1").path("jobs").segment(retryId).build();
        return writer.write(record)
                .map(acked -> Response.accepted(new JobCommandResource.JobAccepted(retryId, status.toString()))
                        .location(status).build())
                .onFailure(ApiTopicWriter.NotAcknowledged.class).transform(failure -> ApiActions.brokerDown(path));
    }

    private IndexedJob find(String jobId, String path) {
        ApiActions.requireIndex(search);
        try {
            return search.find(jobId).map(JobSearch.Found::job).orElseThrow(() -> IndexProblem.notFound(jobId));
        } catch (SQLException e) {
            LOG.warnf("job index read failed: %s", e.getMessage());
            throw IndexProblem.unavailable();
        }
    }
}
