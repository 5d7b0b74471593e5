package io.genworker.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The overview: where the jobs are, how fast they finish, why they fail, and what holds them up.
 *
 * @param window the minutes the per-minute and failure figures cover
 */
public record OverviewView(List<Count> byState, List<Count> byProvider, List<Count> byModel, List<Minute> minutes,
        long maxPerMinute, List<Failure> failures, List<Paused> paused, List<Oldest> oldest, int window,
        List<String> errors) {

    /** A count with the jobs link that lists it. */
    public record Count(String name, String cssClass, long count, String link) {
    }

    /** Jobs that ended in one minute, by how. */
    public record Minute(Instant start, long completed, long failed, long cancelled) {

        public long total() {
            return completed + failed + cancelled;
        }
    }

    /** Failures with one error code in the window. */
    public record Failure(String code, long count, String lastMessage, Instant lastAt, String link) {
    }

    /** A provider this worker has paused (an account fault), and why. */
    public record Paused(String provider, String reason, Instant since, Instant nextProbe) {
    }

    /**
     * A provider's oldest job in flight, against how long the provider keeps results (none documented: null).
     *
     * @param atRisk whether the job is older than the retention: its result may be gone when it finishes
     */
    public record Oldest(String provider, long inFlight, String jobId, String link, String state, Instant receivedAt,
            Duration age, Duration retention, boolean atRisk) {

        public String ageText() {
            return OverviewView.text(age);
        }

        public String retentionText() {
            return retention == null ? "not documented" : OverviewView.text(retention);
        }
    }

    /** A duration as people read it: 3 h 5 min, 4 min 10 s, 12 s. */
    static String text(Duration duration) {
        if (duration == null) {
            return "";
        }
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 3600) {
            return seconds / 3600 + " h " + (seconds % 3600) / 60 + " min";
        }
        if (seconds >= 60) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds + " s";
    }
}
