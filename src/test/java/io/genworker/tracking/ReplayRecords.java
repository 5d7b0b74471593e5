package io.genworker.tracking;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.genworker.job.JobRecord;
import io.genworker.job.Video;

/** Job-log records for the replay tests: one job's transitions at a fixed time, and a partition to replay them in. */
final class ReplayRecords {

    static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    private ReplayRecords() {
    }

    /** Replays the records in order, each at the next offset from {@code first}; returns the offset after them. */
    static long replay(PartitionReplay partition, long first, JobRecord... records) {
        long offset = first;
        for (JobRecord record : records) {
            partition.replay(record, offset++);
        }
        return offset;
    }

    static JobRecord requested(String id) {
        return JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video",
                JsonNodeFactory.instance.objectNode().put("prompt", "a cat"), null, T, T.plusSeconds(1200));
    }

    static JobRecord submitted(JobRecord requested) {
        return requested.submitting(T).submitted("p-" + requested.jobId(), null, T);
    }

    static JobRecord completed(JobRecord submitted) {
        return completedAt(submitted, T.plusSeconds(60));
    }

    static JobRecord completedAt(JobRecord submitted, Instant finished) {
        return submitted.completed(new Video("https://v/x.mp4", "video/mp4", "x.mp4", 1L), null, 2, finished)
                .withoutInput();
    }
}
