package io.genworker.console;

import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.api.ApiRoles;
import io.genworker.api.JobView;
import io.genworker.index.JobSearch;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/** One job's whole story, and its video. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ ApiRoles.VIEWER, ApiRoles.OPERATOR })
public class JobPage {

    private final ConsoleReads reads;
    private final JobVideo videos;
    private final SecurityIdentity identity;
    private final ObjectMapper json;

    public JobPage(ConsoleReads reads, JobVideo videos, SecurityIdentity identity, ObjectMapper json) {
        this.reads = reads;
        this.videos = videos;
        this.identity = identity;
        this.json = json;
    }

    @GET
    @Path("jobs/{id}")
    @Blocking
    public Response job(@PathParam("id") String id, @Context RoutingContext context) {
        ConsolePage page = ConsolePage.of("Job " + id, "jobs", identity, context);
        Optional<JobSearch.Found> found;
        try {
            found = reads.unavailable().isEmpty() ? reads.find(id) : Optional.empty();
        } catch (SQLException e) {
            return notice(page, 503, ConsoleReads.INDEX_DOWN);
        }
        if (found.isEmpty()) {
            return notice(page, 404, reads.unavailable().isEmpty()
                    ? "No job with the id " + id + " in the index (it keeps the jobs of the dedup window)"
                    : reads.unavailable().get(0));
        }
        JobView view = JobView.of(found.get(), page.operator());
        Optional<String> video = videos.location(found.get().job());
        JobDetail detail = JobDetail.of(view, found.get().job(), json, video,
                video.map(videos::playsInPage).orElse(false));
        return Response.ok(ConsoleTemplates.job(page, detail, null)).build();
    }

    /** A redirect to where the video is now (a fresh presigned URL for an archived copy). */
    @GET
    @Path("jobs/{id}/video")
    @Blocking
    public Response video(@PathParam("id") String id) throws SQLException {
        Optional<String> location = reads.unavailable().isEmpty()
                ? reads.find(id).flatMap(found -> videos.location(found.job()))
                : Optional.empty();
        return location.filter(videos::playsInPage).map(url -> Response.seeOther(URI.create(url)).build())
                .orElseGet(() -> Response.status(404).type(MediaType.TEXT_PLAIN).entity("No video").build());
    }

    private static Response notice(ConsolePage page, int status, String message) {
        return Response.status(status).entity(ConsoleTemplates.job(page, null, message)).build();
    }
}
