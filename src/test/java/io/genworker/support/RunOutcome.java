package io.genworker.support;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a run of many jobs ended with, from the results topic and the simulator's submission counts. A job
 * interrupted mid-submit ends SUBMIT_UNCERTAIN with zero or one submission; any other job has exactly one.
 */
public record RunOutcome(int jobs, int lost, int doubleSubmissions, int duplicateResults, int submitUncertain,
        int uncertainNeverSubmitted, int completed, int failed, int submissions) {

    /**
     * @param results every committed result of each job id, in order (see {@link WorkerTopics#committedResults})
     */
    public static RunOutcome of(Collection<String> ids, Map<String, List<JsonNode>> results,
            ProviderSimulator simulator) {
        int lost = 0, duplicates = 0, doubles = 0, uncertain = 0, neverSubmitted = 0, completed = 0, failed = 0;
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
            if ("COMPLETED".equals(result.path("status").asText())) {
                completed++;
            } else {
                failed++;
                if ("SUBMIT_UNCERTAIN".equals(result.path("error").path("code").asText())) {
                    uncertain++;
                    neverSubmitted += submissions == 0 ? 1 : 0;
                }
            }
        }
        return new RunOutcome(ids.size(), lost, doubles, duplicates, uncertain, neverSubmitted, completed, failed,
                simulator.submissions());
    }
}
