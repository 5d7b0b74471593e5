package io.genworker.console;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.api.ApiConfig;
import io.genworker.api.ApiProblemException;
import io.genworker.api.ApiRoles;
import io.genworker.api.BulkActionResource;
import io.genworker.api.IndexProblem;
import io.genworker.api.JobActionResource;
import io.genworker.api.JobCommandResource;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/**
 * The console's buttons, each carried out by the job API's own endpoint code (same checks, same commands, same log
 * lines naming the caller), answered with a fragment that says what happened. Operators only; every request passed
 * {@link ConsoleGuard}'s CSRF check first.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(ApiRoles.OPERATOR)
public class ConsoleActions {

    private final JobCommandResource commands;
    private final JobActionResource actions;
    private final BulkActionResource bulk;
    private final ApiConfig api;
    private final ObjectMapper json;

    public ConsoleActions(JobCommandResource commands, JobActionResource actions, BulkActionResource bulk,
            ApiConfig api, ObjectMapper json) {
        this.commands = commands;
        this.actions = actions;
        this.bulk = bulk;
        this.api = api;
        this.json = json;
    }

    @POST
    @Path("jobs/{id}/cancel")
    @Blocking
    public Uni<String> cancel(@PathParam("id") String id, @Context UriInfo uri) {
        byte[] body = json.createObjectNode().put("reason", "cancelled from the console").toString()
                .getBytes(StandardCharsets.UTF_8);
        return answer(() -> commands.requestCancel(id, body, uri, null),
                done -> "Cancel of " + id + " requested: the table and this page show when it is done");
    }

    @POST
    @Path("jobs/{id}/retry")
    @Blocking
    public Uni<String> retry(@PathParam("id") String id, @Context UriInfo uri) {
        return answer(() -> actions.retry(id, uri), done -> "Retry of " + id + " submitted as "
                + ((JobCommandResource.JobAccepted) done.getEntity()).jobId());
    }

    @POST
    @Path("bulk/{action: cancel|retry}")
    @Blocking
    public Uni<String> bulk(@PathParam("action") String action, @Context UriInfo uri) {
        Map<String, List<String>> query = new LinkedHashMap<>(
                ConsoleQuery.of(uri.getQueryParameters()).apiParams(java.time.Instant.now()));
        List<String> dryRun = uri.getQueryParameters().get("dryRun");
        boolean dry = dryRun != null && dryRun.contains("true");
        if (dry) {
            query.put("dryRun", List.of("true"));
        }
        String path = uri.getRequestUri().getRawPath();
        Uni<Response> call = Uni.createFrom().deferred(() -> "cancel".equals(action)
                ? bulk.bulkCancel(query, path) : bulk.bulkRetry(query, path));
        String applyUrl = "/console/bulk/" + action + "?"
                + ConsoleQuery.of(uri.getQueryParameters()).pinned(java.time.Instant.now()).toQueryString();
        return call.map(response -> {
            BulkActionResource.BulkResult result = (BulkActionResource.BulkResult) response.getEntity();
            if (result.dryRun()) {
                return ConsoleTemplates.bulk(new BulkView(action, result, applyUrl, api.bulkMax())).render();
            }
            return ConsoleTemplates.notice(true, (action.equals("cancel") ? "Cancel" : "Retry") + " requested for "
                    + result.applied() + " of " + result.matched() + " matching jobs").render();
        }).onFailure().recoverWithItem(ConsoleActions::refusal);
    }

    private Uni<String> answer(java.util.function.Supplier<Uni<? extends Response>> call,
            java.util.function.Function<Response, String> done) {
        return Uni.createFrom().deferred(call)
                .map(response -> ConsoleTemplates.notice(true, done.apply(response)).render())
                .onFailure().recoverWithItem(ConsoleActions::refusal);
    }

    /** The API's refusal (its problem's detail), as the page shows it. */
    static String refusal(Throwable failure) {
        String message;
        if (failure instanceof ApiProblemException problem) {
            message = problem.problem().detail() != null ? problem.problem().detail() : problem.problem().title();
            if (problem.problem().errors() != null && !problem.problem().errors().isEmpty()) {
                message += ": " + String.join("; ", problem.problem().errors().stream()
                        .map(e -> e.field() + " " + e.rule()).toList());
            }
        } else if (failure instanceof IndexProblem problem) {
            message = problem.getMessage();
        } else {
            message = "The action failed: " + failure.getClass().getSimpleName();
        }
        return ConsoleTemplates.notice(false, message).render();
    }
}
