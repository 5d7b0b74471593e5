package io.genworker.tracking;

/**
 * The transient errors a job met in a row, and whether the last was a 429: when its deadline passes during such a
 * streak the job fails RATE_LIMITED or PROVIDER_UNAVAILABLE rather than with a plain TIMEOUT.
 */
record ErrorStreak(int errors, boolean lastRateLimited) {

    static final ErrorStreak NONE = new ErrorStreak(0, false);

    /** One more transient error. */
    ErrorStreak next(boolean rateLimited) {
        return new ErrorStreak(errors + 1, rateLimited);
    }

    /** The same count, the last error's kind replaced. */
    ErrorStreak lastWas(boolean rateLimited) {
        return new ErrorStreak(errors, rateLimited);
    }
}
