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
}
