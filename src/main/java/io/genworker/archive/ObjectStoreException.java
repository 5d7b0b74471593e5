package io.genworker.archive;

/**
 * Why an archive operation failed. The message is safe to log: it names the operation, bucket, key and the storage
 * answer (status, error code), never credentials or presigned URLs. A cause is chained only when its own message is
 * known to be safe (the SDK's exceptions, VideoFetchException); a body failing with anything else is named by class.
 */
public final class ObjectStoreException extends RuntimeException {

    public enum Reason {
        /** The body being archived failed (the provider's download broke off, was refused, timed out...). */
        SOURCE_FAILED,
        /** The body's length differs from the announced length: a truncated or overlong copy is not archived. */
        LENGTH_MISMATCH,
        /** The object store refused or could not be reached. */
        STORAGE_FAILED,
        /** The object changed while it was being read back (existing()), so its hash is of nothing stable. */
        CHANGED_WHILE_READING
    }

    private final Reason reason;
    private final boolean retryable;
    private final int status;

    public ObjectStoreException(Reason reason, boolean retryable, String message, Throwable safeCause) {
        this(reason, retryable, message, safeCause, 0);
    }

    /** @param status the storage's HTTP status, 0 when it did not answer */
    public ObjectStoreException(Reason reason, boolean retryable, String message, Throwable safeCause, int status) {
        super(reason + ": " + message, safeCause, false, true);
        this.reason = reason;
        this.retryable = retryable;
        this.status = status;
    }

    /** The storage's HTTP status, 0 when it did not answer (unreachable, timed out). */
    public int status() {
        return status;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether trying the same operation again may succeed (storage unreachable, 5xx, 429, a broken download). */
    public boolean retryable() {
        return retryable;
    }
}
