package io.genworker.provider;

/** How an unsuccessful provider call affects the job: the one classification every caller relies on. */
public enum ProviderFault {
    /** The provider certainly did not start the work (429, 500/502/503, connection refused): safe to call again. */
    NOT_ACCEPTED,
    /** The provider may have started the work (timeout after sending, reset, 504, unreadable 2xx). */
    AMBIGUOUS,
    /** The request itself is wrong for the provider (400, 422...): calling again cannot help. */
    JOB_FATAL,
    /** The provider no longer knows the id (404 on a generation we submitted). */
    EXPIRED,
    /** The account, not the job, is at fault (401/403 bad key, 406 no credits): pause the provider, keep the jobs. */
    PROVIDER_WIDE;

    /** Whether a poll that failed this way should simply be tried again later. */
    public boolean retryablePoll() {
        return this == NOT_ACCEPTED || this == AMBIGUOUS;
    }
}
