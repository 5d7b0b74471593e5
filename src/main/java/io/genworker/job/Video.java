package io.genworker.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The finished video as the provider describes it; only `url` is always present. With archiving on, `archive`
 * names the worker's copy in object storage; `archiveError` says why there is none when the worker is set to
 * complete jobs whose copy failed (`worker.archive.on-failure=complete`).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Video(String url, String contentType, String fileName, Long fileSize, VideoArchive archive,
        JobError archiveError) {

    public Video(String url, String contentType, String fileName, Long fileSize) {
        this(url, contentType, fileName, fileSize, null, null);
    }

    public Video archived(VideoArchive copy) {
        return new Video(url, contentType, fileName, fileSize, copy, null);
    }

    public Video notArchived(JobError why) {
        return new Video(url, contentType, fileName, fileSize, null, why);
    }
}
