package io.genworker.archive;

import io.genworker.archive.fetch.VideoFetchException;

/**
 * Why a copy could not be made; the message is safe to log and to put in a result (no URL query, no credentials).
 * A retryable failure (an interrupted download, storage unreachable or refusing) is tried again until the copy's
 * time bound.
 */
public final class ArchiveFailure extends RuntimeException {

    private final boolean retryable;

    public ArchiveFailure(boolean retryable, String message) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    /**
     * Download failures keep their verdict (an expired or refused URL will not get better); anything else comes
     * from the storage side (unreachable, 5xx, throttled) and is tried again until the copy's time bound.
     */
    public static ArchiveFailure of(Throwable e) {
        if (e instanceof ArchiveFailure failure) {
            return failure;
        }
        if (e instanceof VideoFetchException fetch) {
            return new ArchiveFailure(fetch.retryable(), "download: " + fetch.getMessage());
        }
        if (e instanceof ObjectStoreException store) {
            // Storage refusing (403 on a rotated key, a missing bucket) is as curable by operators as storage down:
            // the paid video is given up only when the copy's time bound runs out, not at the first refusal.
            boolean retryable = store.reason() == ObjectStoreException.Reason.STORAGE_FAILED || store.retryable();
            return new ArchiveFailure(retryable, store.getMessage());
        }
        return new ArchiveFailure(true, "storage: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())));
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    public boolean retryable() {
        return retryable;
    }
}
