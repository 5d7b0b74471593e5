package io.genworker.tracking;

import java.time.Duration;

import io.genworker.job.ErrorCode;

/** What a job does after a provider call failed: a decision of {@link FailurePolicy}, applied by the driver. */
sealed interface Reaction {

    /**
     * Call again after the delay (already kept within the deadline).
     *
     * @param streak the job's error streak from now on
     * @param honoursRetryAfter whether the delay follows the provider's Retry-After
     */
    record Retry(Duration delay, ErrorStreak streak, boolean honoursRetryAfter) implements Reaction {
    }

    /** The provider refuses the account: the job waits for it, neither failing nor timing out meanwhile. */
    record WaitForAccount(ErrorStreak streak) implements Reaction {
    }

    /** The job ends FAILED with this code. */
    record Fail(ErrorCode code, String message) implements Reaction {
    }
}
