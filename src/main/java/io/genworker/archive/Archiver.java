package io.genworker.archive;

import io.genworker.job.JobRecord;
import io.genworker.job.VideoArchive;
import io.smallrye.mutiny.Uni;

/** Copies a finished job's video into object storage; the tracker's JobDriver calls it for ARCHIVING jobs. */
public interface Archiver {

    /** Whether finished videos are copied at all (`worker.archive.enabled`). */
    boolean enabled();

    /**
     * Copies the video of an ARCHIVING job to its key, or finds the copy already there (a previous owner made it
     * before it crashed). Fails with {@link ArchiveFailure}; cancelling the subscription stops the transfer and
     * aborts its multipart upload.
     */
    Uni<VideoArchive> copy(JobRecord job);

    /**
     * The job's copy if it is in the bucket (a null item when not, or when the bucket cannot say): asked once more
     * before a job gives up, since an attempt cut short by its time bound may have completed its upload anyway.
     */
    Uni<VideoArchive> findCopy(JobRecord job);
}
