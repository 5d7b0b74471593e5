package io.genworker.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import io.genworker.api.ApiRoles;
import io.genworker.index.IndexedStates;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/**
 * The jobs table: filtered as the form says, a page at a time, kept live by server-sent events at the rate the
 * viewer picks (or paused), with a job-id search that goes straight to the job. The table's fragments live under
 * {@code /console/table}, not beside the jobs: a job may be called "live".
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ ApiRoles.VIEWER, ApiRoles.OPERATOR })
public class JobsPage {

    static final String EVERY = "every";
    static final String CURSOR = "cursor";
    static final String JOB_ID = "jobId";

    private final ConsoleReads reads;
    private final LiveStreams streams;
    private final ConsoleConfig config;
    private final SecurityIdentity identity;

    public JobsPage(ConsoleReads reads, LiveStreams streams, ConsoleConfig config, SecurityIdentity identity) {
        this.reads = reads;
        this.streams = streams;
        this.config = config;
        this.identity = identity;
    }

    @GET
    @Path("jobs")
    @Blocking
    public Response jobs(@Context UriInfo uri, @Context RoutingContext context) throws SQLException {
        Map<String, List<String>> params = uri.getQueryParameters();
        String jobId = params.containsKey(JOB_ID) ? params.get(JOB_ID).get(0).strip() : "";
        // Looked up before the listing, so a search that finds its job costs no count of the index.
        if (!jobId.isEmpty() && reads.unavailable().isEmpty() && reads.find(jobId).isPresent()) {
            // A relative Location, built by hand: JAX-RS would make it absolute from the request's own scheme,
            // which behind a proxy ending TLS is http.
            return Response.status(Response.Status.SEE_OTHER).header("Location", ConsoleLinks.job(jobId)).build();
        }
        JobsView view = view(params, true);
        if (!jobId.isEmpty()) {
            view = withError(view, "No job with the id " + jobId + " in the index");
        }
        return Response.ok(ConsoleTemplates.jobs(ConsolePage.of("Jobs", "jobs", identity, context), view)).build();
    }

    @GET
    @Path("table/live")
    @Blocking
    public TemplateInstance live(@Context UriInfo uri, @Context RoutingContext context) {
        return ConsoleTemplates.live(ConsolePage.of("Jobs", "jobs", identity, context),
                view(uri.getQueryParameters(), false));
    }

    @GET
    @Path("table/rows")
    @Blocking
    public TemplateInstance rows(@Context UriInfo uri) {
        JobsView view = view(uri.getQueryParameters(), false);
        return ConsoleTemplates.rows(view.rows(), ConsolePage.isOperator(identity), view.errors());
    }

    /** Nothing: what a dismissed notice is replaced with. */
    @GET
    @Path("table/empty")
    public String empty() {
        return "";
    }

    @GET
    @Path("table/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context UriInfo uri, @Context SseEventSink sink, @Context Sse sse,
            @Context RoutingContext context) {
        Map<String, List<String>> params = Map.copyOf(uri.getQueryParameters());
        int every = every(params);
        if (every == 0) {
            sink.close();
            return;
        }
        boolean operator = ConsolePage.isOperator(identity);
        // Counted by browser (its CSRF cookie), not by user: everyone signs in as one of two users.
        streams.stream(sink, sse, Duration.ofSeconds(every), ConsolePage.token(context),
                () -> {
                    JobsView view = view(params, false);
                    return ConsoleTemplates.rows(view.rows(), operator, view.errors()).render();
                });
    }

    private JobsView view(Map<String, List<String>> params, boolean withCounts) {
        ConsoleQuery query = ConsoleQuery.of(params);
        // Passed on as it is: the API's parameter rules decode it and name a broken one.
        String cursor = ConsoleQuery.first(params, CURSOR);
        ConsoleReads.Listing listing = reads.list(query, cursor, config.pageSize(), withCounts, Instant.now());
        String queryString = query.toQueryString();
        String next = listing.page().next() == null ? null
                : "/console/jobs?" + (queryString.isEmpty() ? "" : queryString + "&") + CURSOR + "="
                        + URLEncoder.encode(listing.page().next().encode(), StandardCharsets.UTF_8);
        int every = cursor == null ? every(params) : 0;
        String refused = every > 0 && !streams.available() ? "Live updates are off: " + config.maxStreams()
                + " tables are live on this worker already" : null;
        return new JobsView(query, queryString, cursor, listing.page().jobs().stream().map(JobRow::of).toList(), next,
                listing.counts(), List.copyOf(new TreeSet<>(IndexedStates.KNOWN)), List.copyOf(ConsoleQuery.RANGES.keySet()),
                refreshChoices(), refused == null ? every : 0, refused, listing.errors());
    }

    private static JobsView withError(JobsView view, String error) {
        return new JobsView(view.query(), view.queryString(), view.cursor(), view.rows(), view.nextLink(), view.counts(),
                view.states(), view.ranges(), view.refreshChoices(), view.every(), view.liveRefused(),
                List.of(error));
    }

    /** The refresh rate asked for: one of the choices, 0 (paused), or the default. */
    private int every(Map<String, List<String>> params) {
        String asked = ConsoleQuery.first(params, EVERY);
        if ("0".equals(asked)) {
            return 0;
        }
        List<Integer> choices = refreshChoices();
        if (asked != null && asked.matches("\\d{1,4}") && choices.contains(Integer.parseInt(asked))) {
            return Integer.parseInt(asked);
        }
        return (int) config.refresh().toSeconds();
    }

    private List<Integer> refreshChoices() {
        return java.util.stream.Stream.concat(config.refreshChoices().stream(), java.util.stream.Stream.of(config.refresh()))
                .map(d -> (int) Math.max(1, d.toSeconds())).distinct().sorted().toList();
    }
}
