package io.genworker.archive.fetch;

import io.smallrye.mutiny.Uni;

/** Opens a provider's result video for streaming, after the URL (and every redirect hop) passed DownloadUrlPolicy. */
public interface VideoSource {

    /** Fails with VideoFetchException (reason + retryable flag) on refusal, HTTP error, expiry (403/404/410), timeout. */
    Uni<VideoStream> open(String url, String provider);
}
