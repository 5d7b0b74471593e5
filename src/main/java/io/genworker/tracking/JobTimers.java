package io.genworker.tracking;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The timers of the tracker's context. Each job has at most one pending step (its next call, or a retry of its
 * write): scheduling a new one cancels the old, and a step of a job handed over meanwhile does nothing. Steps not
 * tied to a job's next move (re-assertions) take detached timers, so they never cancel the job's own.
 */
final class JobTimers {

    /** The context's timer service: Vert.x timers in the worker, a manual clock in tests. */
    interface Timers {
        long set(long millis, Runnable task);

        void cancel(long id);
    }

    private final Timers timers;

    JobTimers(Timers timers) {
        this.timers = timers;
    }

    /** Replaces the job's pending step with this one, after the delay (at least a millisecond). */
    void schedule(TrackedJob job, Duration delay, Consumer<TrackedJob> step) {
        cancel(job);
        job.timerId = timers.set(Math.max(1, delay.toMillis()), () -> {
            job.timerId = -1;
            if (!job.stopped()) {
                step.accept(job);
            }
        });
    }

    /** A retry of the job's terminal commit: it runs while the job ends cancelled too, not once it is handed over. */
    void scheduleEnd(TrackedJob job, Duration delay, Consumer<TrackedJob> step) {
        if (job.endTimerId >= 0) {
            timers.cancel(job.endTimerId);
        }
        job.endTimerId = timers.set(Math.max(1, delay.toMillis()), () -> {
            job.endTimerId = -1;
            if (!job.dropped) {
                step.accept(job);
            }
        });
    }

    void cancel(TrackedJob job) {
        if (job.timerId >= 0) {
            timers.cancel(job.timerId);
            job.timerId = -1;
        }
    }

    /** A task after the delay that is not the job's next step. */
    void detached(Duration delay, Runnable task) {
        timers.set(Math.max(1, delay.toMillis()), task);
    }
}
