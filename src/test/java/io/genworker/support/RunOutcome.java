package io.genworker.support;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a run of many jobs ended with, from the results topic and the simulator's submission counts. A job
 * interrupted mid-submit ends SUBMIT_UNCERTAIN with zero or one submission; any other job has exactly one.
 *
 * @param failures the jobs that did not complete, by error code (their status where a result has no code)
 */
public record RunOutcome(int jobs, int lost, int doubleSubmissions, int duplicateResults, int submitUncertain,
        int uncertainNeverSubmitted, int completed, int failed, int submissions, Map<String, Set<String>> failures) {

    public static final String SUBMIT_UNCERTAIN = "SUBMIT_UNCERTAIN";

    /**
     * @param results every committed result of each job id, in order (see {@link WorkerTopics#committedResults})
     */
    public static RunOutcome of(Collection<String> ids, Map<String, List<JsonNode>> results,
            ProviderSimulator simulator) {
        int lost = 0, duplicates = 0, doubles = 0, uncertain = 0, neverSubmitted = 0, completed = 0, failed = 0;
        Map<String, Set<String>> failures = new TreeMap<>();
        for (String id : ids) {
            int submissions = simulator.submissionsOf(Requests.prompt(id));
            if (submissions > 1) {
                doubles++;
            }
            List<JsonNode> mine = results.getOrDefault(id, List.of());
            if (mine.isEmpty()) {
                lost++;
                continue;
            }
            duplicates += mine.size() - 1;
            JsonNode result = mine.get(0);
            String status = result.path("status").asText();
            if ("COMPLETED".equals(status)) {
                completed++;
            } else {
                failed++;
                String code = result.path("error").path("code").asText(status);
                failures.computeIfAbsent(code.isEmpty() ? status : code, c -> new TreeSet<>()).add(id);
                if (SUBMIT_UNCERTAIN.equals(code)) {
                    uncertain++;
                    neverSubmitted += submissions == 0 ? 1 : 0;
                }
            }
        }
        return new RunOutcome(ids.size(), lost, doubles, duplicates, uncertain, neverSubmitted, completed, failed,
                simulator.submissions(), failures);
    }

    /** The jobs that ended SUBMIT_UNCERTAIN. */
    public Set<String> uncertain() {
        return failures.getOrDefault(SUBMIT_UNCERTAIN, Set.of());
    }

    /** How many jobs failed with each error code. */
    public Map<String, Integer> failureCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        failures.forEach((code, jobs) -> counts.put(code, jobs.size()));
        return counts;
    }
}
