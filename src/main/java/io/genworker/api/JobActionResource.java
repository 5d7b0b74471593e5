package io.genworker.api;

import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.index.IndexedJob;
import io.genworker.index.JobSearch;
import io.genworker.intake.ReadOutcome;
import io.genworker.intake.RequestReader;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/**
 * Actions that need the job index: retrying a failed or cancelled job (a new job with a derived id and the same
 * input, {@link RetryRequests}), and cancelling or retrying every job a filter matches, with a dry run that counts
 * first. Bulk actions are capped (`worker.api.bulk-max`) and logged with who asked. Each command goes to the topics
 * like a single one would, and each is safe to send again (a cancel of a finished job changes nothing; a retry's id
 * is derived, so a repeated one is a duplicate).
 */
@Path("/v1/jobs")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRoles.OPERATOR)
public class JobActionResource {

    private static final Logger LOG = Logger.getLogger(JobActionResource.class);
    /** Rows read per page of a bulk action's scan. */
    private static final int PAGE = 500;
    private static final String DRY_RUN = "dryRun";
    private static final String REASON = "reason";

    private final JobSearch search;
    private final RequestReader reader;
    private final ApiTopicWriter writer;
    private final WorkerConfig worker;
    private final ApiConfig api;
    private final SecurityIdentity identity;
    private final ObjectMapper mapper;

    public JobActionResource(JobSearch search, RequestReader reader, ApiTopicWriter writer, WorkerConfig worker,
            ApiConfig api, SecurityIdentity identity, ObjectMapper mapper) {
        this.search = search;
        this.reader = reader;
        this.writer = writer;
        this.worker = worker;
        this.api = api;
        this.identity = identity;
        this.mapper = mapper;
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
        String retryId = RetryIds.next(job.jobId(), worker.intake().maxJobIdLength());
        ProducerRecord<String, byte[]> record = retryRecord(job, retryId, path);
        LOG.infof("API: job %s retried as %s by %s", job.jobId(), retryId, caller());
        URI status = uri.getBaseUriBuilder().path("v1").path("jobs").segment(retryId).build();
        return writer.write(record)
                .map(acked -> Response.accepted(new JobCommandResource.JobAccepted(retryId, status.toString()))
                        .location(status).build())
                .onFailure(ApiTopicWriter.NotAcknowledged.class).transform(failure -> brokerDown(path));
    }

    @POST
    @Path("bulk/cancel")
    @Blocking
    @Operation(summary = "Cancel every unfinished job the filter matches",
            description = "The filters of GET /v1/jobs, plus dryRun=true to count without acting and reason. Refused"
                    + " when more jobs match than worker.api.bulk-max.")
    @APIResponse(responseCode = "200", description = "What was (or would be) done",
            content = @Content(schema = @Schema(implementation = BulkResult.class)))
    @APIResponse(responseCode = "422", description = "More jobs match than one call may act on")
    public Uni<Response> bulkCancel(@Context UriInfo uri) {
        String path = ApiProblemMappers.path(uri);
        BulkCall call = BulkCall.read(uri, path);
        String reason = call.reason() != null ? call.reason() : "bulk cancel";
        return bulk("cancel", call, job -> !job.terminal() && !"CANCEL_REQUESTED".equals(job.state()), path,
                job -> new ProducerRecord<>(worker.topics().control(), job.jobId(),
                        new CancelCommand(job.jobId(), reason, caller()).toJson()));
    }

    @POST
    @Path("bulk/retry")
    @Blocking
    @Operation(summary = "Retry every failed or cancelled job the filter matches",
            description = "The filters of GET /v1/jobs, plus dryRun=true to count without acting. Jobs retried"
                    + " already or without a kept input are left out. Refused when more jobs match than"
                    + " worker.api.bulk-max.")
    @APIResponse(responseCode = "200", description = "What was (or would be) done",
            content = @Content(schema = @Schema(implementation = BulkResult.class)))
    @APIResponse(responseCode = "422", description = "More jobs match than one call may act on")
    public Uni<Response> bulkRetry(@Context UriInfo uri) {
        String path = ApiProblemMappers.path(uri);
        BulkCall call = BulkCall.read(uri, path);
        int maxId = worker.intake().maxJobIdLength();
        return bulk("retry", call, job -> RetryRequests.refusal(job).isEmpty(), path,
                job -> retryRecord(job, RetryIds.next(job.jobId(), maxId), path));
    }

    /** The jobs the filter matches that the action applies to, the dry run's count, or the commands written. */
    private Uni<Response> bulk(String action, BulkCall call, Predicate<IndexedJob> eligible, String path,
            Function<IndexedJob, ProducerRecord<String, byte[]>> command) {
        requireIndex();
        List<IndexedJob> targets = new ArrayList<>();
        int matched = 0;
        int scanLimit = api.bulkMax() * 10;
        try {
            JobSearch.Page page = search.list(call.listing().filter(), null, PAGE);
            while (true) {
                for (IndexedJob job : page.jobs()) {
                    matched++;
                    if (eligible.test(job)) {
                        targets.add(job);
                    }
                }
                if (page.next() == null || matched >= scanLimit) {
                    break;
                }
                page = search.list(call.listing().filter(), page.next(), PAGE);
            }
        } catch (SQLException e) {
            LOG.warnf("job index read failed: %s", e.getMessage());
            throw IndexProblem.unavailable();
        }
        boolean complete = matched < scanLimit;
        if (call.dryRun()) {
            return Uni.createFrom().item(Response.ok(new BulkResult(action, true, matched, targets.size(), 0,
                    complete, targets.size() <= api.bulkMax())).build());
        }
        if (targets.size() > api.bulkMax() || !complete) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.TOO_MANY, (complete ? targets.size()
                    : "over " + targets.size()) + " jobs to " + action + ": at most " + api.bulkMax()
                    + " a call (worker.api.bulk-max); narrow the filter", path));
        }
        List<ProducerRecord<String, byte[]>> records = targets.stream().map(command).toList();
        LOG.infof("API: bulk %s of %d jobs by %s (filter %s)", action, records.size(), caller(),
                call.listing().filter());
        if (records.isEmpty()) {
            return Uni.createFrom().item(Response.ok(new BulkResult(action, false, matched, 0, 0, true, true))
                    .build());
        }
        List<Uni<Void>> writes = records.stream().map(r -> writer.write(r).replaceWithVoid()).toList();
        int applied = records.size();
        int found = matched;
        return Uni.join().all(writes).andFailFast()
                .map(done -> Response.ok(new BulkResult(action, false, found, applied, applied, true, true)).build())
                .onFailure(ApiTopicWriter.NotAcknowledged.class).transform(failure -> brokerDown(path));
    }

    private ProducerRecord<String, byte[]> retryRecord(IndexedJob job, String retryId, String path) {
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(RetryRequests.request(job, retryId, mapper));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the retry of " + job.jobId(), e);
        }
        // The catalogue may have changed since: the retry passes intake's rules of today, or is refused here.
        if (reader.read(retryId, value, retryId) instanceof ReadOutcome.Invalid invalid) {
            throw new ApiProblemException(ApiProblem.invalid("The retry of " + job.jobId() + " would be refused: "
                    + invalid.error().message(), path, JobCommandResource.fieldErrors(invalid.error().details())));
        }
        return new ProducerRecord<>(worker.topics().requests(), retryId, value);
    }

    private IndexedJob find(String jobId, String path) {
        requireIndex();
        try {
            return search.find(jobId).map(JobSearch.Found::job).orElseThrow(() -> IndexProblem.notFound(jobId));
        } catch (SQLException e) {
            LOG.warnf("job index read failed: %s", e.getMessage());
            throw IndexProblem.unavailable();
        }
    }

    private void requireIndex() {
        if (!search.enabled()) {
            throw IndexProblem.disabled();
        }
    }

    private static ApiProblemException brokerDown(String path) {
        return new ApiProblemException(ApiProblem.of(ApiProblem.Kind.BROKER_UNAVAILABLE,
                "Some commands may not have been written: the same call is safe to send again", path));
    }

    private String caller() {
        return identity.getPrincipal() == null ? "anonymous" : identity.getPrincipal().getName();
    }

    /** A bulk call's query: the listing's filters, and the action's own dryRun and reason. */
    private record BulkCall(FilterParams.Listing listing, boolean dryRun, String reason) {

        static BulkCall read(UriInfo uri, String path) {
            Map<String, List<String>> params = new HashMap<>(uri.getQueryParameters());
            List<String> dryRun = params.remove(DRY_RUN);
            List<String> reason = params.remove(REASON);
            if (params.containsKey("cursor") || params.containsKey("limit")) {
                throw new ApiProblemException(ApiProblem.invalid("A bulk action takes every job the filter matches",
                        path, List.of(new ApiProblem.FieldError(params.containsKey("cursor") ? "cursor" : "limit",
                                "not a bulk parameter"))));
            }
            boolean dry = dryRun != null && !dryRun.isEmpty() && !"false".equals(dryRun.get(0));
            if (dryRun != null && (dryRun.size() != 1 || !List.of("true", "false").contains(dryRun.get(0)))) {
                throw new ApiProblemException(ApiProblem.invalid("dryRun is true or false", path,
                        List.of(new ApiProblem.FieldError(DRY_RUN, "one-of:[true,false]"))));
            }
            String why = reason == null || reason.isEmpty() ? null : reason.get(0);
            if (why != null && (reason.size() != 1 || why.length() > CancelCommand.MAX_REASON)) {
                throw new ApiProblemException(ApiProblem.invalid("reason is one text of at most "
                        + CancelCommand.MAX_REASON + " characters", path,
                        List.of(new ApiProblem.FieldError(REASON, "maxLength:" + CancelCommand.MAX_REASON))));
            }
            return new BulkCall(FilterParams.read(params), dry, why);
        }
    }

    /**
     * What a bulk action did, or would do.
     *
     * @param matched jobs the filter matched
     * @param eligible of those, the jobs the action applies to (unfinished for a cancel; failed or cancelled, not
     *        retried yet and with their input for a retry)
     * @param applied commands written (0 on a dry run)
     * @param complete false when the scan stopped at ten times the cap: there are more
     * @param withinCap whether the action may be applied in one call
     */
    @Schema(name = "BulkResult")
    public record BulkResult(String action, boolean dryRun, int matched, int eligible, int applied, boolean complete,
            boolean withinCap) {
    }
}
