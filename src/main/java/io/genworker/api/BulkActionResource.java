package io.genworker.api;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
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

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.config.WorkerConfig;
import io.genworker.index.IndexedJob;
import io.genworker.index.JobFilter;
import io.genworker.index.JobSearch;
import io.genworker.intake.CancelCommandReader;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/**
 * Cancelling or retrying every job a filter matches (the filters of {@code GET /v1/jobs}, at least one), with a dry
 * run that counts first. Capped (`worker.api.bulk-max`) and logged with who asked. Each command goes to the topics as
 * a single one would, checked by the same rules, and each is safe to send again (a cancel of a finished job changes
 * nothing; a retry's id is derived, so a repeated one is a duplicate). Under {@code /v1/bulk}, not {@code /v1/jobs}:
 * a job may be called "bulk".
 */
@Path("/v1/bulk")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRoles.OPERATOR)
public class BulkActionResource {

    private static final Logger LOG = Logger.getLogger(BulkActionResource.class);
    /** Rows read per page of a bulk action's scan. */
    private static final int PAGE = 500;
    private static final String DRY_RUN = "dryRun";
    private static final String REASON = "reason";

    private final JobSearch search;
    private final RetryCommands retries;
    private final CancelCommandReader cancels;
    private final ApiTopicWriter writer;
    private final WorkerConfig worker;
    private final ApiConfig api;
    private final SecurityIdentity identity;
    private final ObjectMapper mapper;

    public BulkActionResource(JobSearch search, RetryCommands retries, CancelCommandReader cancels,
            ApiTopicWriter writer, WorkerConfig worker, ApiConfig api, SecurityIdentity identity,
            ObjectMapper mapper) {
        this.search = search;
        this.retries = retries;
        this.cancels = cancels;
        this.writer = writer;
        this.worker = worker;
        this.api = api;
        this.identity = identity;
        this.mapper = mapper;
    }

    @POST
    @Path("cancel")
    @Blocking
    @Operation(summary = "Cancel every unfinished job the filter matches",
            description = "The filters of GET /v1/jobs, plus dryRun=true to count without acting and reason. Refused"
                    + " when more jobs match than worker.api.bulk-max.")
    @APIResponse(responseCode = "200", description = "What was (or would be) done",
            content = @Content(schema = @Schema(implementation = BulkResult.class)))
    @APIResponse(responseCode = "422", description = "More jobs match than one call may act on")
    public Uni<Response> bulkCancel(@Context UriInfo uri) {
        return bulkCancel(uri.getQueryParameters(), ApiProblemMappers.path(uri));
    }

    /** The bulk cancel of {@code POST /v1/bulk/cancel} with these query parameters (the console's back end). */
    public Uni<Response> bulkCancel(Map<String, List<String>> query, String path) {
        BulkCall call = BulkCall.read(query, path);
        byte[] body = reasonBody(call.reason() != null ? call.reason() : "bulk cancel");
        return bulk("cancel", call, job -> !job.terminal() && !"CANCEL_REQUESTED".equals(job.state()), path,
                job -> cancelRecord(job, body, path));
    }

    @POST
    @Path("retry")
    @Blocking
    @Operation(summary = "Retry every failed or cancelled job the filter matches",
            description = "The filters of GET /v1/jobs, plus dryRun=true to count without acting. Jobs retried"
                    + " already or without a kept input are left out. Refused when more jobs match than"
                    + " worker.api.bulk-max.")
    @APIResponse(responseCode = "200", description = "What was (or would be) done",
            content = @Content(schema = @Schema(implementation = BulkResult.class)))
    @APIResponse(responseCode = "422", description = "More jobs match than one call may act on")
    public Uni<Response> bulkRetry(@Context UriInfo uri) {
        return bulkRetry(uri.getQueryParameters(), ApiProblemMappers.path(uri));
    }

    /** The bulk retry of {@code POST /v1/bulk/retry} with these query parameters (the console's back end). */
    public Uni<Response> bulkRetry(Map<String, List<String>> query, String path) {
        BulkCall call = BulkCall.read(query, path);
        return bulk("retry", call, job -> RetryRequests.refusal(job).isEmpty(), path,
                job -> retries.record(job, path));
    }

    /** The jobs the filter matches that the action applies to, the dry run's count, or the commands written. */
    private Uni<Response> bulk(String action, BulkCall call, Predicate<IndexedJob> eligible, String path,
            Function<IndexedJob, ProducerRecord<String, byte[]>> command) {
        ApiActions.requireIndex(search);
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
        LOG.infof("API: bulk %s of %d jobs by %s (filter %s)", action, records.size(), ApiActions.caller(identity),
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
                .onFailure(ApiTopicWriter.NotAcknowledged.class).transform(failure -> ApiActions.brokerDown(path));
    }

    /** A cancel command as {@code POST /v1/jobs/{id}/cancel} would write it, refused by the same rules. */
    private ProducerRecord<String, byte[]> cancelRecord(IndexedJob job, byte[] body, String path) {
        byte[] command = CancelCommand.read(job.jobId(), body, ApiActions.caller(identity), path).toJson();
        if (cancels.read(job.jobId(), command, Instant.now()) instanceof CancelCommandReader.Unreadable unreadable) {
            throw new ApiProblemException(ApiProblem.of(ApiProblem.Kind.INVALID_REQUEST, 400, unreadable.reason(),
                    path));
        }
        return new ProducerRecord<>(worker.topics().control(), job.jobId(), command);
    }

    private byte[] reasonBody(String reason) {
        return reason == null ? new byte[0]
                : mapper.createObjectNode().put(REASON, reason).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A bulk call's query: the listing's filters, and the action's own dryRun and reason. */
    private record BulkCall(FilterParams.Listing listing, boolean dryRun, String reason) {

        static BulkCall read(Map<String, List<String>> query, String path) {
            Map<String, List<String>> params = new HashMap<>(query);
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
            String why = reason == null || reason.isEmpty() || reason.get(0).isBlank() ? null : reason.get(0);
            if (why != null && (reason.size() != 1 || why.length() > CancelCommand.MAX_REASON)) {
                throw new ApiProblemException(ApiProblem.invalid("reason is one text of at most "
                        + CancelCommand.MAX_REASON + " characters", path,
                        List.of(new ApiProblem.FieldError(REASON, "maxLength:" + CancelCommand.MAX_REASON))));
            }
            FilterParams.Listing listing = FilterParams.read(params);
            if (listing.filter().equals(JobFilter.ALL)) {
                throw new ApiProblemException(ApiProblem.invalid("A bulk action needs at least one filter", path,
                        List.of(new ApiProblem.FieldError("filter", "required: state, provider, model, receivedAfter,"
                                + " receivedBefore, errorCode or meta.<key>"))));
            }
            return new BulkCall(listing, dry, why);
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
