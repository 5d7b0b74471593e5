package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.joblog.JobLogTransactions;
import io.genworker.joblog.OwnershipLease;
import io.smallrye.mutiny.Uni;

/**
 * Writes the tracker's transitions to the job log, on the partition each job lives on: each one acknowledged
 * before the job's next step, retried until it is, and none while the ownership lease is stale (see
 * {@link OwnershipLease}). Terminal records go with their result in one transaction. Every write is fenced by
 * partition ownership ({@link JobLogTransactions}): one refused because the partition has moved is not retried.
 * Callbacks come back on the tracker's context.
 */
final class JobLogWriter {

    private static final Logger LOG = Logger.getLogger(JobLogWriter.class);
    static final Duration WRITE_RETRY = Duration.ofSeconds(1);
    /** How soon a step held back by a stale ownership lease looks again. */
    static final Duration LEASE_RETRY = Duration.ofMillis(200);
    private static final int DETACHED_ATTEMPTS = 10;

    private final BiFunction<TopicPartition, JobRecord, Uni<Long>> append;
    private final BiFunction<TopicPartition, JobRecord, Uni<Long>> commitWithResult;
    private final BooleanSupplier leaseFresh;
    private final JobTimers timers;
    private final Executor onContext;
    private final Clock clock;
    private final Consumer<TrackedJob> settledWhileHandedOver;

    /**
     * @param append writes one record to a job-log partition, completing once the broker holds it, with the
     *        record's offset (-1 if not known)
     * @param commitWithResult writes a terminal record and its result in one transaction
     * @param settledWhileHandedOver told when a job finishing its call during a hand-over has written the call's
     *        outcome: the job takes no next step
     */
    JobLogWriter(BiFunction<TopicPartition, JobRecord, Uni<Long>> append,
            BiFunction<TopicPartition, JobRecord, Uni<Long>> commitWithResult,
            BooleanSupplier leaseFresh, JobTimers timers, Executor onContext, Clock clock,
            Consumer<TrackedJob> settledWhileHandedOver) {
        this.append = append;
        this.commitWithResult = commitWithResult;
        this.leaseFresh = leaseFresh;
        this.timers = timers;
        this.onContext = onContext;
        this.clock = clock;
        this.settledWhileHandedOver = settledWhileHandedOver;
    }

    /**
     * Runs the step while this worker may still believe it owns the job: never for a job handed over, and, while
     * the lease is stale, only once the consumer has polled again (which drops the job if it moved). The wait uses
     * the job's timer: the step is the job's next move.
     */
    void whenOwned(TrackedJob job, Consumer<TrackedJob> step) {
        if (job.stopped()) {
            return;
        }
        if (!leaseFresh.getAsBoolean()) {
            timers.schedule(job, LEASE_RETRY, j -> whenOwned(j, step));
            return;
        }
        step.accept(job);
    }

    /** {@link #whenOwned} for the job's last write, which a cancellation makes too. */
    private void whileNotHandedOver(TrackedJob job, Consumer<TrackedJob> step) {
        if (job.dropped) {
            return;
        }
        if (!leaseFresh.getAsBoolean()) {
            timers.scheduleEnd(job, LEASE_RETRY, j -> whileNotHandedOver(j, step));
            return;
        }
        step.accept(job);
    }

    /** Writes a transition and only then runs the next step; a failed write is retried, never skipped. */
    void write(TrackedJob job, JobRecord next, Runnable then) {
        whenOwned(job, j -> {
            j.latestSent = next;
            append.apply(j.partition, next)
                    .emitOn(onContext)
                    .subscribe().with(
                            offset -> {
                                if (j.stopped()) {
                                    // Handed over, or ending cancelled: the next step never runs (a cancelled
                                    // job's CANCELLED record follows this one on the partition).
                                    return;
                                }
                                j.record = next;
                                if (offset > j.newestOffset) {
                                    // Committed, so the newest record of the job unless a newer one was read.
                                    j.newestOffset = offset;
                                    j.newestIsRequest = next.state() == JobState.REQUESTED;
                                }
                                if (j.draining) {
                                    settledWhileHandedOver.accept(j);
                                } else {
                                    then.run();
                                }
                            },
                            failure -> {
                                if (JobLogTransactions.notOwned(failure)) {
                                    // The partition moved or its writer was fenced: the job is being dropped, and
                                    // no retry could ever land. Its next step never runs.
                                    LOG.debugf("job-log write for %s refused: %s", j.id(), failure.getMessage());
                                    return;
                                }
                                if (j.stopped()) {
                                    // Handed over, or ending cancelled: the CANCELLED commit (on its own timer)
                                    // follows; this write's next step would never run anyway.
                                    return;
                                }
                                LOG.warnf("job-log write for %s failed, retrying: %s", j.id(), failure.getMessage());
                                timers.schedule(j, WRITE_RETRY, again -> write(again, next, then));
                            });
        });
    }

    /**
     * Commits the result and the terminal record (without the input) in one transaction: never lost, never
     * published twice. {@code committed} runs once the transaction is, unless the job was handed over meanwhile.
     */
    void commitTerminal(TrackedJob job, JobRecord terminal, Consumer<TrackedJob> committed) {
        job.finishing = true;
        whileNotHandedOver(job, j -> {
            JobRecord kept = terminal.withoutInput();
            j.latestSent = kept;
            commitWithResult.apply(j.partition, kept)
                    .emitOn(onContext)
                    .subscribe().with(
                            ok -> {
                                if (!j.dropped) {
                                    j.record = kept;
                                    committed.accept(j);
                                    if (j.draining) {
                                        settledWhileHandedOver.accept(j);
                                    }
                                }
                            },
                            failure -> {
                                if (!JobLogTransactions.notOwned(failure)) {
                                    timers.scheduleEnd(j, WRITE_RETRY,
                                            again -> commitTerminal(again, terminal, committed));
                                }
                            });
        });
    }

    /**
     * Writes the job's newest state again, beside its own transitions: it uses none of the job's timers (which hold
     * its next step), and a retry re-reads the newest state, so a late retry cannot put an older state back at the
     * head of the log. Nothing to do while the job waits in REQUESTED, or once its terminal record is being
     * committed with its result (that commit writes it).
     */
    void reassert(TrackedJob job) {
        JobRecord latest = job.latestSent;
        if (job.dropped || latest.state() == JobState.REQUESTED || latest.state().isTerminal()) {
            return;
        }
        if (!leaseFresh.getAsBoolean()) {
            timers.detached(LEASE_RETRY, () -> reassert(job));
            return;
        }
        append.apply(job.partition, latest.reasserted(clock.instant()))
                .emitOn(onContext)
                .subscribe().with(ok -> {
                }, failure -> {
                    if (!JobLogTransactions.notOwned(failure)) {
                        timers.detached(WRITE_RETRY, () -> reassert(job));
                    }
                });
    }

    /**
     * A record that belongs to no job driven here (a finished job's re-assertion, a withdrawal on hand-over), for
     * the partition the job lives on. Not retried once the partition is not this worker's.
     */
    void appendDetached(TopicPartition partition, JobRecord record) {
        append.apply(partition, record).onFailure(failure -> !JobLogTransactions.notOwned(failure)).retry()
                .withBackOff(WRITE_RETRY).atMost(DETACHED_ATTEMPTS)
                .subscribe().with(ok -> {
                }, failure -> LOG.errorf("could not re-assert job %s: %s", record.jobId(), failure.getMessage()));
    }
}
