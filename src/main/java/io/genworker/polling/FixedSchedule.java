package io.genworker.polling;

import java.time.Duration;

/** A first poll after a fixed delay, then a fixed interval: what the providers' own examples do (10 s, 1-2 s). */
final class FixedSchedule implements PollSchedule {

    private final Duration firstPoll;
    private final Duration interval;

    FixedSchedule(Duration firstPoll, Duration interval) {
        this.firstPoll = firstPoll;
        this.interval = interval;
    }

    @Override
    public Duration next(JobProfile profile, Duration age, int polls) {
        return polls == 0 ? firstPoll : interval;
    }
}
