package io.genworker.provider;

import io.genworker.job.Video;

/** What a poll learned, in our words whatever the provider's. */
public record GenerationStatus(Phase phase, Video video, String errorMessage, boolean contentBlocked, Double credits,
        String rawStatus) {

    public enum Phase {
        QUEUED,
        RUNNING,
        COMPLETED,
        FAILED
    }

    public boolean finished() {
        return phase == Phase.COMPLETED || phase == Phase.FAILED;
    }
}
