package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

import io.genworker.archive.ArchiveFailure;
import io.genworker.archive.ArchivePolicy;
import io.genworker.archive.Archiver;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;

/**
 * The ARCHIVING step of a job (issue 13): copies the provider's video into object storage within the copy's own
 * time bound ({@link ArchivePolicy}), tries again on the job's timer after a failure, and ends the job through the
 * driver's finish. Runs on the tracker's context, like {@link JobDriver}, whose job it takes over between SUBMITTED
 * and the result.
 */
final class ArchiveStep {

    private static final Logger LOG = Logger.getLogger(ArchiveStep.class);

    private final Archiver archiver;
    private final ArchivePolicy archiving;
    private final JobLogWriter writer;
    private final JobTimers timers;
    private final Executor onContext;
    private final Clock clock;
    private final BiConsumer<TrackedJob, JobRecord> finish;

    ArchiveStep(Archiver archiver, ArchivePolicy archiving, JobLogWriter writer, JobTimers timers, Executor onContext,
            Clock clock, BiConsumer<TrackedJob, JobRecord> finish) {
        this.archiver = archiver;
        this.archiving = archiving;
        this.writer = writer;
        this.timers = timers;
        this.onContext = onContext;
        this.clock = clock;
        this.finish = finish;
    }

    /** Takes the next step of a job in ARCHIVING (written, or found on replay). */
    void start(TrackedJob job) {
        if (archiver.enabled()) {
            archive(job);
        } else {
            // Archiving was switched off while the job waited for its copy: it ends with the provider's URL.
            finish(job, job.record.completedUnarchived(JobError.of(ErrorCode.ARCHIVE_FAILED,
                    "archiving is off on the worker that finished the job: no copy was made"), clock.instant()));
        }
    }

    private void finish(TrackedJob job, JobRecord terminal) {
        finish.accept(job, terminal);
    }

    /**
     * Copies the ARCHIVING job's video, within the copy's own time bound ({@link ArchivePolicy}); a failed attempt
     * is tried again on the job's timer or ends the job as `worker.archive.on-failure` says.
     */
    private void archive(TrackedJob job) {
        // Each attempt only while the lease is fresh: a frozen old owner that resumes must not start a copy (and
        // abort the new owner's upload of the same key) before its consumer learns the partition moved.
        writer.whenOwned(job, this::copy);
    }

    private void copy(TrackedJob job) {
        Duration left = archiving.timeLeft(job.record, clock.instant());
        if (left.isNegative() || left.isZero()) {
            String why = "the copy's time bound ran out before it could start";
            giveUpUnlessStored(job, archiving.givenUp(job.record, why, clock.instant()), why);
            return;
        }
        job.transfer = archiver.copy(job.record)
                .ifNoItem().after(left).failWith(() -> new ArchiveFailure(false,
                        "the copy did not finish within its time bound"))
                .emitOn(onContext)
                .subscribe().with(
                        copy -> {
                            job.transfer = null;
                            if (!job.stopped()) {
                                job.archiveAttempts = 0;
                                finish(job, job.record.archived(copy, clock.instant()));
                            }
                        },
                        failure -> {
                            job.transfer = null;
                            if (!job.stopped()) {
                                archiveFailed(job, ArchiveFailure.of(failure));
                            }
                        });
    }

    private void archiveFailed(TrackedJob job, ArchiveFailure failure) {
        ArchivePolicy.Next next = archiving.afterFailure(job.record, failure, ++job.archiveAttempts,
                clock.instant());
        if (next instanceof ArchivePolicy.Retry retry) {
            LOG.infof("copy of job %s failed (attempt %d), trying again in %s: %s", job.id(), job.archiveAttempts,
                    retry.delay(), failure.getMessage());
            timers.schedule(job, retry.delay(), this::archive);
        } else if (next instanceof ArchivePolicy.GiveUp giveUp) {
            giveUpUnlessStored(job, giveUp.terminal(), failure.getMessage());
        }
    }

    /** One last look in the bucket: an attempt cut short by the time bound may have stored the copy after all. */
    private void giveUpUnlessStored(TrackedJob job, JobRecord terminal, String why) {
        archiver.findCopy(job.record)
                .emitOn(onContext)
                .subscribe().with(found -> {
                    if (job.stopped()) {
                        return;
                    }
                    if (found != null) {
                        LOG.infof("copy of job %s was stored after all", job.id());
                        finish(job, job.record.archived(found, clock.instant()));
                    } else {
                        LOG.warnf("copy of job %s failed for good: %s", job.id(), why);
                        finish(job, terminal);
                    }
                }, e -> {
                    if (!job.stopped()) {
                        finish(job, terminal);
                    }
                });
    }
}
