package io.genworker.polling;

import java.time.Duration;

/** When to poll a generation that is still running; the part of the poll policy that differs between strategies. */
interface PollSchedule {

    /**
     * @param age time since the provider accepted the job
     * @param polls polls made so far (0 before the first)
     */
    Duration next(JobProfile profile, Duration age, int polls);

    /** A generation of the profile ended, as it did, between the two ages; schedules that learn use it. */
    default void ended(JobProfile profile, Duration lastSeenRunning, Duration seenEnded, Ending ending) {
    }
}
