package io.genworker.archive;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import io.genworker.config.WorkerConfig;
import io.genworker.config.WorkerConfig.Archive.OnFailure;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.polling.Backoff;

/**
 * What happens after a copy attempt failed, and how long a copy may still try. Pure: the job, the failure and the
 * time in; a verdict out. The bound counts from the generation's end (the record's finishedAt), not from the job's
 * deadline, so a deadline never cuts a paid video's copy short and a replayed copy does not start the clock again.
 */
public final class ArchivePolicy {

    /** What the job does next. */
    public sealed interface Next {
    }

    /** Try the copy again after the delay. */
    public record Retry(Duration delay) implements Next {
    }

    /** Stop trying: the job ends with this record (FAILED with ARCHIVE_FAILED, or COMPLETED without its copy). */
    public record GiveUp(JobRecord terminal) implements Next {
    }

    private final Duration copyTimeout;
    private final OnFailure onFailure;
    private final Backoff backoff;

    public ArchivePolicy(Duration copyTimeout, Duration retryInitial, Duration retryMax, OnFailure onFailure,
            RandomGenerator random) {
        this.copyTimeout = copyTimeout;
        this.onFailure = onFailure;
        this.backoff = new Backoff(retryInitial, retryMax, random);
    }

    public static ArchivePolicy from(WorkerConfig.Archive config, RandomGenerator random) {
        return new ArchivePolicy(config.copyTimeout(), config.retryInitial(), config.retryMax(), config.onFailure(),
                random);
    }

    /** How long the copy of this ARCHIVING job may still run; zero or less: its time is up. */
    public Duration timeLeft(JobRecord archiving, Instant now) {
        Instant since = archiving.finishedAt() != null ? archiving.finishedAt() : archiving.updatedAt();
        return Duration.between(now, since.plus(copyTimeout));
    }

    /** After the attempts-th failed attempt in a row. */
    public Next afterFailure(JobRecord archiving, ArchiveFailure failure, int attempts, Instant now) {
        Duration left = timeLeft(archiving, now);
        if (!failure.retryable()) {
            return new GiveUp(givenUp(archiving, failure.getMessage(), now));
        }
        Duration delay = backoff.after(attempts, null);
        if (delay.compareTo(left) >= 0) {
            // The next attempt would start at or after the bound: the job ends now, with the failure that ended it.
            return new GiveUp(givenUp(archiving, "still failing when the copy's time bound (" + copyTimeout
                    + " after the generation ended) ran out; last: " + failure.getMessage(), now));
        }
        return new Retry(delay);
    }

    /** The job's end when its copy cannot be made, as `worker.archive.on-failure` chooses. */
    public JobRecord givenUp(JobRecord archiving, String why, Instant now) {
        JobError error = JobError.of(ErrorCode.ARCHIVE_FAILED,
                "the video could not be copied into object storage: " + why);
        return onFailure == OnFailure.COMPLETE ? archiving.completedUnarchived(error, now)
                : archiving.archiveFailed(error, now);
    }
}
