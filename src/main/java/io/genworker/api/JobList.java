package io.genworker.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A page of `GET /v1/jobs`, newest first. `nextCursor` fetches the next page (absent on the last); `counts` (on the
 * first page only, the one without a cursor) counts the jobs the same filter matches, by state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobList(List<JobSummary> jobs, String nextCursor, int limit, Map<String, Long> counts) {
}
