package io.genworker.console;

import java.util.List;
import java.util.Map;

/**
 * The jobs page: the filter as given, one page of rows, the counts by state of everything the filter matches (first
 * page only), and the live table's settings.
 *
 * @param every the live table's refresh in seconds, 0 when paused
 * @param liveRefused why live updates are off although asked for (too many open streams), or null
 */
public record JobsView(ConsoleQuery query, String queryString, String cursor, List<JobRow> rows, String nextLink,
        Map<String, Long> counts, List<String> states, List<String> ranges, List<Integer> refreshChoices, int every,
        String liveRefused, List<String> errors) {

    /** The stream the live table listens to. */
    public String streamUrl() {
        return "/console/table/stream?" + withQuery("every=" + every);
    }

    /** Where the refresh control fetches the table with another rate: the first page (a live table is the newest). */
    public String liveUrl() {
        return "/console/table/live" + (queryString.isEmpty() ? "" : "?" + queryString);
    }

    /** Where "refresh now" fetches the rows (the same page of them). */
    public String rowsUrl() {
        String page = withQuery(cursorParam());
        return "/console/table/rows" + (page.isEmpty() ? "" : "?" + page);
    }

    private String cursorParam() {
        return cursor == null ? "" : "cursor=" + java.net.URLEncoder.encode(cursor,
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A bulk action's URL, with the filter it acts on. */
    public String bulkUrl(String action, boolean dryRun) {
        return "/console/bulk/" + action + "?" + withQuery(dryRun ? "dryRun=true" : "");
    }

    /** One state's count, with the link that filters by it. */
    public record StateCount(String state, String stateClass, long count, String link) {
    }

    public List<StateCount> stateCounts() {
        return counts == null ? List.of() : counts.entrySet().stream()
                .map(e -> new StateCount(e.getKey(), JobRow.stateClass(e.getKey()), e.getValue(),
                        "/console/jobs?" + query.withState(e.getKey()).toQueryString()))
                .toList();
    }

    public long total() {
        return counts == null ? 0 : counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private String withQuery(String extra) {
        if (queryString.isEmpty()) {
            return extra;
        }
        return extra.isEmpty() ? queryString : queryString + "&" + extra;
    }
}
