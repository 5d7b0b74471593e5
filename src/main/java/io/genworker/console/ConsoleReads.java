package io.genworker.console;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.genworker.api.FilterParams;
import io.genworker.api.IndexProblem;
import io.genworker.index.JobSearch;

/**
 * The console's reads of the job index, through the job API's own parameter rules ({@link FilterParams}): a bad
 * filter comes back as the API's named errors, an index that is off or down as a sentence, never as an exception on
 * the page.
 */
@ApplicationScoped
public class ConsoleReads {

    private static final Logger LOG = Logger.getLogger(ConsoleReads.class);

    private final JobSearch search;

    public ConsoleReads(JobSearch search) {
        this.search = search;
    }

    /** One page of a listing, with the counts by state on a first page, or the errors that stopped it. */
    public record Listing(JobSearch.Page page, Map<String, Long> counts, List<String> errors) {
    }

    public Listing list(ConsoleQuery query, String cursor, int limit, boolean withCounts, Instant now) {
        List<String> errors = new ArrayList<>(unavailable());
        if (!errors.isEmpty()) {
            return new Listing(new JobSearch.Page(List.of(), null), null, errors);
        }
        Map<String, List<String>> params = new LinkedHashMap<>(query.apiParams(now));
        if (query.metaValue() != null && query.metaKey() == null) {
            return new Listing(new JobSearch.Page(List.of(), null), null,
                    List.of("metaKey: required when a metadata value is given"));
        }
        if (cursor != null) {
            params.put("cursor", List.of(cursor));
        }
        params.put("limit", List.of(Integer.toString(limit)));
        try {
            FilterParams.Listing listing = FilterParams.read(params);
            JobSearch.Page page = search.list(listing.filter(), listing.cursor(), listing.limit());
            Map<String, Long> counts = withCounts && cursor == null ? search.counts(listing.filter()) : null;
            return new Listing(page, counts, List.of());
        } catch (IndexProblem problem) {
            return new Listing(new JobSearch.Page(List.of(), null), null,
                    problem.errors().stream().map(e -> e.field() + ": " + e.rule()).toList());
        } catch (SQLException e) {
            LOG.warnf("console: job index read failed: %s", e.getMessage());
            return new Listing(new JobSearch.Page(List.of(), null), null, List.of(INDEX_DOWN));
        }
    }

    /** One job, or empty when the index has no such job. */
    public Optional<JobSearch.Found> find(String jobId) throws SQLException {
        return search.find(jobId);
    }

    /** Why the index cannot be read at all, or nothing. */
    public List<String> unavailable() {
        return search.enabled() ? List.of()
                : List.of("This worker runs without the job index (worker.index.enabled=false): the console reads it");
    }

    static final String INDEX_DOWN = "The job index's database does not answer; retry in a moment";
}
