package io.genworker.archive;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.genworker.archive.fetch.VideoFetchException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns SDK and body failures into ObjectStoreException, once, so callers see one vocabulary. */
final class StorageFailures {

    private static final int MAX_DETAIL = 300;

    private StorageFailures() {
    }

    static ObjectStoreException storage(String operation, String bucket, String key, Throwable failure) {
        Throwable error = unwrap(failure);
        if (error instanceof ObjectStoreException known) {
            return known;
        }
        String where = operation + " s3://" + bucket + (key == null ? "" : "/" + key);
        if (error instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            boolean retryable = status >= 500 || status == 408 || status == 429;
            return new ObjectStoreException(ObjectStoreException.Reason.STORAGE_FAILED, retryable,
                    where + " failed: HTTP " + status + (code == null ? "" : " " + code), error, status);
        }
        if (error instanceof SdkClientException) {
            // Connection refused, timeouts, DNS: the storage may come back. The SDK's message names the endpoint only.
            return new ObjectStoreException(ObjectStoreException.Reason.STORAGE_FAILED, true,
                    where + " failed: " + shorten(error.getMessage()), error);
        }
        return new ObjectStoreException(ObjectStoreException.Reason.STORAGE_FAILED, false,
                where + " failed: " + error.getClass().getName(), null);
    }

    static ObjectStoreException source(String key, Throwable failure) {
        Throwable error = unwrap(failure);
        if (error instanceof VideoFetchException fetch) {
            return new ObjectStoreException(ObjectStoreException.Reason.SOURCE_FAILED, fetch.retryable(),
                    "body of " + key + " failed: " + fetch.getMessage(), fetch);
        }
        // Any other message may quote the download URL (a presigned one carries a signature): name the class only.
        return new ObjectStoreException(ObjectStoreException.Reason.SOURCE_FAILED, true,
                "body of " + key + " failed: " + error.getClass().getName(), null);
    }

    static ObjectStoreException lengthMismatch(String key, long announced, long counted, boolean ended) {
        return new ObjectStoreException(ObjectStoreException.Reason.LENGTH_MISMATCH, true,
                "body of " + key + " announced " + announced + " bytes but " + (ended ? "ended after " : "reached ")
                        + counted, null);
    }

    static boolean isNotFound(Throwable failure) {
        Throwable error = unwrap(failure);
        return error instanceof NoSuchKeyException
                || (error instanceof S3Exception s3 && s3.statusCode() == 404 && !(error instanceof NoSuchBucketException));
    }

    static Throwable unwrap(Throwable failure) {
        Throwable error = failure;
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL) + "...";
    }
}
