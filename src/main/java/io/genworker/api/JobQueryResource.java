package io.genworker.api;

import java.sql.SQLException;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.index.JobSearch;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The read side of the job API, answered from the job index: it lags the job log by a little (readiness `index`
 * says how much), and keeps the jobs of the dedup window. Blocking (JDBC), so it runs on worker threads.
 */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ "viewer", "operator" })
public class JobQueryResource {

    private static final Logger LOG = Logger.getLogger(JobQueryResource.class);
    static final String OPERATOR = "operator";

    private final JobSearch search;
    private final SecurityIdentity identity;
    private final int maxJobIdLength;

    public JobQueryResource(JobSearch search, SecurityIdentity identity, WorkerConfig config) {
        this.search = search;
        this.identity = identity;
        this.maxJobIdLength = config.intake().maxJobIdLength();
    }

    @GET
    @Path("{id}")
    public JobView job(@PathParam("id") String id) {
        requireIndex();
        String jobId = FilterParams.jobId(id, maxJobIdLength);
        try {
            return search.find(jobId).map(found -> JobView.of(found, identity.hasRole(OPERATOR)))
                    .orElseThrow(() -> IndexProblem.notFound(jobId));
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @GET
    public JobList jobs(@Context UriInfo uri) {
        requireIndex();
        FilterParams.Listing listing = FilterParams.read(uri.getQueryParameters());
        try {
            JobSearch.Page page = search.list(listing.filter(), listing.cursor(), listing.limit());
            Map<String, Long> counts = listing.cursor() == null ? search.counts(listing.filter()) : null;
            return new JobList(page.jobs().stream().map(JobSummary::of).toList(),
                    page.next() == null ? null : page.next().encode(), listing.limit(), counts);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private void requireIndex() {
        if (!search.enabled()) {
            throw IndexProblem.disabled();
        }
    }

    private static IndexProblem unavailable(SQLException e) {
        LOG.warnf("job index read failed: %s", e.getMessage());
        return IndexProblem.unavailable();
    }
}
