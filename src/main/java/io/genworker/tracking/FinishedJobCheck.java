package io.genworker.tracking;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLogReader;
import io.genworker.metrics.WorkerMetrics;

/**
 * Settles a {@link PartitionReplay.MaybeDuplicate}: reads the finished job's terminal record back at its offset.
 * The same id: the job is finished, and its terminal record is written again so that compaction keeps it as the
 * job's last word. Another id (or the record is gone): a new job whose id only shares the fingerprint, adopted.
 * Until the broker answers, retried; callbacks come back on the tracker's context.
 */
final class FinishedJobCheck {

    private static final Logger LOG = Logger.getLogger(FinishedJobCheck.class);

    private final JobLogReader reader;
    private final JobLogWriter writer;
    private final JobTimers timers;
    private final WorkerMetrics metrics;
    private final Executor onContext;
    private final Clock clock;

    FinishedJobCheck(JobLogReader reader, JobLogWriter writer, JobTimers timers, WorkerMetrics metrics,
            Executor onContext, Clock clock) {
        this.reader = reader;
        this.writer = writer;
        this.timers = timers;
        this.metrics = metrics;
        this.onContext = onContext;
        this.clock = clock;
    }

    /**
     * @param stillOwned whether the partition is still this worker's when the answer comes
     * @param adoptInstead takes the record over as a new job
     */
    void confirm(TopicPartition partition, PartitionReplay.MaybeDuplicate maybe, BooleanSupplier stillOwned,
            Consumer<PartitionReplay.Adopt> adoptInstead) {
        reader.read(partition, maybe.terminalOffset())
                .emitOn(onContext)
                .subscribe().with(found -> {
                    if (stillOwned.getAsBoolean()) {
                        settle(partition, maybe, found, adoptInstead);
                    }
                }, failure -> {
                    if (!stillOwned.getAsBoolean()) {
                        return;
                    }
                    LOG.warnf("reading back the result of job %s failed, retrying: %s", maybe.record().jobId(),
                            failure.getMessage());
                    timers.detached(JobLogWriter.WRITE_RETRY,
                            () -> confirm(partition, maybe, stillOwned, adoptInstead));
                });
    }

    private void settle(TopicPartition partition, PartitionReplay.MaybeDuplicate maybe, Optional<JobRecord> found,
            Consumer<PartitionReplay.Adopt> adoptInstead) {
        String id = maybe.record().jobId();
        if (found.isPresent() && found.get().jobId().equals(id) && found.get().state().isTerminal()) {
            if (maybe.repeatedRequest()) {
                metrics.duplicate();
            }
            writer.appendDetached(partition, found.get().reasserted(clock.instant()));
        } else {
            LOG.infof("job %s only shares a fingerprint with a finished job: adopting it", id);
            adoptInstead.accept(new PartitionReplay.Adopt(maybe.record(), false));
        }
    }
}
