package io.genworker.archive.fetch;

/**
 * Why a video could not be opened or read. The message is safe to log: it never carries the URL's query string or
 * user info (presigned URLs carry signatures there), and no cause is chained, since a Vert.x exception's message may
 * quote the full request URI.
 */
public final class VideoFetchException extends RuntimeException {

    public enum Reason {
        /** The URL, or a redirect hop, failed DownloadUrlPolicy: no request was sent to it. */
        REFUSED_URL,
        /** The provider's copy is gone (403, 404, 410): trying again will not bring it back. */
        EXPIRED,
        /** Any other unexpected answer; retryable for 408, 429 and 5xx. */
        HTTP_ERROR,
        /** Content-Length, or the bytes counted while streaming, over max-bytes. */
        TOO_LARGE,
        /** The body completed with another length than its Content-Length. */
        LENGTH_MISMATCH,
        /** Connecting took longer than connect-timeout, or no bytes came for idle-timeout. */
        TIMEOUT,
        /** The connection failed or was cut (refused, reset, closed mid-body). */
        INTERRUPTED
    }

    private final Reason reason;
    private final boolean retryable;

    public VideoFetchException(Reason reason, boolean retryable, String message) {
        super(reason + ": " + message, null, false, true);
        this.reason = reason;
        this.retryable = retryable;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }
}
