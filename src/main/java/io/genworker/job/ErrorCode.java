package io.genworker.job;

/** Every way a job can fail, each with whether sending the same request again could succeed. */
public enum ErrorCode {
    /** The request breaks a rule of the model's schema; details name the fields. */
    INVALID_REQUEST(false),
    /** No model of that name (on that provider) in the catalogue. */
    UNSUPPORTED_MODEL(false),
    /** The provider refused the submission (4xx). */
    PROVIDER_REJECTED(false),
    /** The provider reported that the generation failed. */
    GENERATION_FAILED(true),
    /** The provider refused the content (safety / moderation). */
    CONTENT_BLOCKED(false),
    /** The provider no longer knows the generation (404 on an id we submitted; Segmind keeps results 1 hour). */
    RESULT_EXPIRED(true),
    /** The job's deadline passed before the provider finished. */
    TIMEOUT(true),
    /** A submit was interrupted; the provider may be running it, so it is not sent again. */
    SUBMIT_UNCERTAIN(true),
    /** The provider kept answering 429 until the job's deadline. */
    RATE_LIMITED(true),
    /** The provider kept failing (5xx, timeouts) until the job's deadline. */
    PROVIDER_UNAVAILABLE(true),
    /**
     * The provider refused the account (bad key, no credits, or no key configured on the worker) until
     * `worker.jobs.max-account-wait` past the job's deadline.
     */
    ACCOUNT_REFUSED(true),
    /**
     * The provider's video could not be copied into object storage within `worker.archive.copy-timeout` (expired or
     * refused URL, storage down): the result still carries the provider's URL.
     */
    ARCHIVE_FAILED(true);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
