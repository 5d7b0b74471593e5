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
            return new ArchiveFailure(store.retryable() || curableByOperators(store), store.getMessage());
        }
        return new ArchiveFailure(true, "storage: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())));
    }

    /**
     * Storage refusing the worker (403 on a rotated key or a missing permission, 404 for a missing bucket) is as
     * curable by operators as storage down: the paid video is given up only when the copy's time bound runs out.
     * Other refusals (400 for a key or part the storage will never take) end the copy at once; so does a failure
     * without an answer that the store itself calls final.
     */
    private static boolean curableByOperators(ObjectStoreException store) {
        return store.reason() == ObjectStoreException.Reason.STORAGE_FAILED
                && (store.status() == 403 || store.status() == 404);
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
