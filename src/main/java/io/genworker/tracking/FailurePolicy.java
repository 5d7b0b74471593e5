package io.genworker.tracking;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.genworker.job.Deadlines;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobRecord;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderOperation;

/**
 * Decides what a job does after a failed provider call, and whether its deadline has ended it. Pure: the caller
 * passes the time, the job's error streak and whether the provider is paused, and applies the {@link Reaction}.
 * The only randomness is the backoff's jitter, inside {@link PollPolicy}.
 */
final class FailurePolicy {

    static final String KEPT_FAILING = "the provider kept failing until the job's deadline";

    private final PollPolicy backoff;
    private final boolean resubmitUncertain;
    private final Duration maxAccountWait;

    /** @param maxAccountWait how long past its deadline a job waits for a provider that refuses the account */
    FailurePolicy(PollPolicy backoff, boolean resubmitUncertain, Duration maxAccountWait) {
        this.backoff = backoff;
        this.resubmitUncertain = resubmitUncertain;
        this.maxAccountWait = maxAccountWait;
    }

    /**
     * Whether a job found SUBMITTING (its submission interrupted, the provider may be running it) is submitted again
     * rather than failed SUBMIT_UNCERTAIN: `worker.tracker.resubmit-uncertain`.
     */
    boolean resubmitsInterrupted() {
        return resubmitUncertain;
    }

    /**
     * After a failed submit or poll.
     *
     * @param streak the job's error streak before this failure
     * @param paused whether the provider is paused now (after this failure was taken into account)
     */
    Reaction afterFailure(ProviderOperation operation, ProviderCallException e, JobRecord job, ErrorStreak streak,
            boolean paused, Instant now) {
        boolean submitting = operation == ProviderOperation.SUBMIT;
        return switch (e.fault()) {
            case NOT_ACCEPTED -> retry(e, job, streak, paused, now);
            case AMBIGUOUS -> !submitting || resubmitUncertain
                    ? retry(e, job, streak, paused, now)
                    : new Reaction.Fail(ErrorCode.SUBMIT_UNCERTAIN, e.getMessage());
            // A refused submission records what refused it; a poll's streak stays as it was.
            case PROVIDER_WIDE -> new Reaction.WaitForAccount(submitting ? streak.lastWas(e.rateLimited()) : streak);
            case EXPIRED -> new Reaction.Fail(submitting ? ErrorCode.PROVIDER_REJECTED : ErrorCode.RESULT_EXPIRED,
                    e.getMessage());
            case JOB_FATAL -> new Reaction.Fail(ErrorCode.PROVIDER_REJECTED, e.getMessage());
        };
    }

    /**
     * Whether the job's deadline has ended it before its next call. A job whose provider refuses the account waits
     * for it past its deadline, but only for {@code maxAccountWait}.
     */
    Optional<Reaction.Fail> expired(ProviderOperation operation, JobRecord job, ErrorStreak streak, boolean paused,
            Instant now) {
        if (!Deadlines.passed(job, now)) {
            return Optional.empty();
        }
        if (paused) {
            return now.isBefore(job.deadline().plus(maxAccountWait)) ? Optional.empty()
                    : Optional.of(new Reaction.Fail(ErrorCode.ACCOUNT_REFUSED, "the provider refused the account (or"
                            + " no key is configured) until " + maxAccountWait + " past the job's deadline"));
        }
        if (streak.errors() > 0) {
            return Optional.of(afterErrors(streak, KEPT_FAILING));
        }
        return Optional.of(new Reaction.Fail(ErrorCode.TIMEOUT, operation == ProviderOperation.SUBMIT
                ? "deadline passed before the job could be submitted"
                : "the generation did not finish before the job's deadline"));
    }

    /**
     * Backoff after one more transient error, honouring Retry-After, never past the deadline. A provider asking to
     * be called again only after the deadline leaves no call that honours both: the job ends now, and says so,
     * instead of calling early at the deadline.
     */
    private Reaction retry(ProviderCallException e, JobRecord job, ErrorStreak streak, boolean paused, Instant now) {
        ErrorStreak next = streak.next(e.rateLimited());
        Duration delay = backoff.afterError(job, next.errors(), e.retryAfter(), now);
        if (e.retryAfter() != null && !paused && job.deadline() != null
                && !now.plus(e.retryAfter()).isBefore(job.deadline())) {
            return afterErrors(next, "the provider asked to wait " + e.retryAfter().toSeconds()
                    + " s, past the job's deadline");
        }
        return new Reaction.Retry(delay, next, e.retryAfter() != null);
    }

    /** The deadline passed while the provider kept refusing calls: say how, rather than a plain timeout. */
    private static Reaction.Fail afterErrors(ErrorStreak streak, String message) {
        return new Reaction.Fail(streak.lastRateLimited() ? ErrorCode.RATE_LIMITED : ErrorCode.PROVIDER_UNAVAILABLE,
                message);
    }
}
