package io.genworker.console;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.api.JobView;
import io.genworker.api.RetryRequests;
import io.genworker.index.IndexedJob;
import io.genworker.index.IndexedStates;

/**
 * One job's page: the API's view of it (input only for operators, as {@code GET /v1/jobs/{id}} decides), the JSON
 * parts as indented text, and what may be done with it.
 *
 * @param retryRefusal why the job cannot be retried, or null when it can
 * @param videoSrc where the player loads the video from (the console's redirect to the archived copy), or null
 * @param videoLink where the video is when the page may not play it (its origin is not one media may come from)
 */
public record JobDetail(JobView view, String link, String stateClass, boolean cancellable, String retryRefusal,
        String error, String input, String metadata, String cancellation, String video, String videoSrc,
        String videoLink, String retryOfLink, String retriedAsLink) {

    static JobDetail of(JobView view, IndexedJob job, ObjectMapper json, Optional<String> videoAt, boolean inPage) {
        String link = ConsoleLinks.job(job.jobId());
        boolean playable = videoAt.isPresent() && inPage;
        return new JobDetail(view, link, JobRow.stateClass(job.state()),
                !job.terminal() && !IndexedStates.CANCEL_REQUESTED.equals(job.state()),
                RetryRequests.refusal(job).orElse(null), text(view.error(), json), text(view.input(), json),
                text(view.metadata(), json), text(view.cancellation(), json), text(view.video(), json),
                playable ? link + "/video" : null, playable ? null : videoAt.orElse(null),
                Optional.ofNullable(job.retryOf()).map(ConsoleLinks::job).orElse(null),
                Optional.ofNullable(job.retriedAs()).map(ConsoleLinks::job).orElse(null));
    }

    public boolean retryable() {
        return retryRefusal == null;
    }

    /** A JSON part as indented text, or null when absent. */
    static String text(JsonNode node, ObjectMapper json) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }
}
