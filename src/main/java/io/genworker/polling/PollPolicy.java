package io.genworker.polling;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.config.WorkerConfig;
import io.genworker.job.Deadlines;
import io.genworker.job.JobRecord;

/**
 * Chooses how long to wait before the next provider call. Pure: no clock and no I/O, the caller passes the time and
 * what it knows; the only state is the learned generation times, shared by all jobs of a profile. Not thread-safe:
 * the tracker calls it from its single context.
 */
public final class PollPolicy {

    private final PollSchedule schedule;
    private final Backoff backoff;
    private final ModelCatalogue catalogue;

    PollPolicy(PollSchedule schedule, Backoff backoff, ModelCatalogue catalogue) {
        this.schedule = schedule;
        this.backoff = backoff;
        this.catalogue = catalogue;
    }

    public static PollPolicy from(WorkerConfig.Polling config, ModelCatalogue catalogue, RandomGenerator random) {
        Backoff backoff = new Backoff(config.backoffInitial(), config.backoffMax(), random);
        return switch (config.strategy()) {
            case FIXED -> new PollPolicy(new FixedSchedule(config.firstPoll(), config.interval()), backoff, catalogue);
            case ADAPTIVE -> adaptive(catalogue, config.pollCost(), config.minInterval(), config.interval(),
                    config.learning().priorWeight(), config.learning().window(),
                    FailureLearning.from(config.learning()), backoff);
        };
    }

    /**
     * Learns generation times per profile, and with {@code failures} enabled when failures end too; past what it
     * learned, polls at the outlier interval.
     */
    public static PollPolicy adaptive(ModelCatalogue catalogue, Duration pollCost, Duration minInterval,
            Duration outlierInterval, double priorWeight, int window, FailureLearning failures,
            Duration backoffInitial, Duration backoffMax, RandomGenerator random) {
        return adaptive(catalogue, pollCost, minInterval, outlierInterval, priorWeight, window, failures,
                new Backoff(backoffInitial, backoffMax, random));
    }

    /** Polls after a fixed first delay, then at a fixed interval, whatever the job. */
    public static PollPolicy fixed(ModelCatalogue catalogue, Duration firstPoll, Duration interval,
            Duration backoffInitial, Duration backoffMax, RandomGenerator random) {
        return new PollPolicy(new FixedSchedule(firstPoll, interval), new Backoff(backoffInitial, backoffMax, random),
                catalogue);
    }

    private static PollPolicy adaptive(ModelCatalogue catalogue, Duration pollCost, Duration minInterval,
            Duration outlierInterval, double priorWeight, int window, FailureLearning failures, Backoff backoff) {
        GenerationTimes times = new GenerationTimes(catalogue, priorWeight, window, failures);
        return new PollPolicy(new AdaptiveSchedule(times, pollCost, minInterval, outlierInterval), backoff,
                catalogue);
    }

    /**
     * Delay before the next poll of a submitted job that is not finished: from the schedule, but never past the
     * job's deadline (the last poll happens at the deadline).
     *
     * @param polls polls made so far
     */
    public Duration nextPoll(JobRecord job, int polls, Instant now) {
        Instant acceptedAt = job.submittedAt() != null ? job.submittedAt() : now;
        Duration age = Duration.between(acceptedAt, now);
        Duration delay = schedule.next(JobProfile.of(job, catalogue), age.isNegative() ? Duration.ZERO : age, polls);
        return Deadlines.within(job, delay, now);
    }

    /**
     * Delay after the n-th consecutive transient error (submit or poll): jittered exponential backoff, at least the
     * provider's Retry-After, and never past the job's deadline.
     */
    public Duration afterError(JobRecord job, int consecutiveErrors, Duration retryAfter, Instant now) {
        return Deadlines.within(job, backoff.after(consecutiveErrors, retryAfter), now);
    }

    /**
     * The provider reported the job's generation ended, at a poll sent at {@code seenEnded}; the previous poll, sent
     * at {@code lastSeenRunning} (or the submission), still saw it running. Learning schedules take it in, successes
     * and failures apart: failures end at other times (a refused prompt within seconds) and must not shift where
     * the successes are polled for.
     */
    public void generationEnded(JobRecord job, Instant lastSeenRunning, Instant seenEnded, Ending ending) {
        if (job.submittedAt() == null || lastSeenRunning == null || seenEnded.isBefore(lastSeenRunning)) {
            return;
        }
        schedule.ended(JobProfile.of(job, catalogue), Duration.between(job.submittedAt(), lastSeenRunning),
                Duration.between(job.submittedAt(), seenEnded), ending);
    }
}
