package io.genworker.tracking;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.joblog.JobLogReader;

/**
 * Brings parked jobs (unfinished jobs a replay found past the cap of jobs in flight, kept by offset only) into
 * flight as places free: each one's newest record is read back from the log at the offset its replay kept, so no
 * input waits in memory, and adopted if it is still the job's newest. Runs on the tracker's context.
 */
final class ParkedJobs {

    private static final Logger LOG = Logger.getLogger(ParkedJobs.class);
    /** Reads outstanding at once at most; the reader serves them one after the other. */
    private static final int MAX_READING = 64;

    /** Takes a job over, as a replay's adoption would. */
    interface Adoption {
        void adopt(TopicPartition tp, PartitionReplay partition, PartitionReplay.Adopt adopt);
    }

    private final JobLogReader reader;
    private final OwnedPartitions owned;
    private final IntSupplier free;
    private final Executor onContext;
    private final Adoption adoption;
    private final JobLogWriter writer;
    private final Clock clock;
    private int reading;

    /** @param free places free under the cap of jobs in flight */
    ParkedJobs(JobLogReader reader, OwnedPartitions owned, IntSupplier free, Executor onContext, Adoption adoption,
            JobLogWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
        this.reader = reader;
        this.owned = owned;
        this.free = free;
        this.onContext = onContext;
        this.adoption = adoption;
    }

    /** Parked jobs being read back: their places are spoken for. */
    int reading() {
        return reading;
    }

    /** Reads parked jobs back, partition by partition in the order they were found, while places are free. */
    void adoptWhileRoom() {
        for (Map.Entry<TopicPartition, PartitionReplay> entry : owned.all().entrySet()) {
            PartitionReplay partition = entry.getValue();
            if (partition.replaying()) {
                // Its parked jobs' newest records may still come: adopted now, one could be driven from a state
                // the rest of the replay supersedes (submitted again, answered twice).
                continue;
            }
            while (reading < MAX_READING && free.getAsInt() - reading > 0) {
                PartitionReplay.Parked next = partition.nextToUnpark();
                if (next == null) {
                    break;
                }
                reading++;
                readBack(entry.getKey(), partition, next);
            }
        }
        owned.count();
    }

    /**
     * Writes a parked job's record again at the head of the log: a request that superseded it is the job's newest
     * record now, and compaction would otherwise delete the only record the job can be resumed from. Its echo moves
     * the parked offset to the copy.
     */
    void restate(TopicPartition tp, PartitionReplay partition, PartitionReplay.Parked parked) {
        reader.read(tp, parked.offset()).emitOn(onContext).subscribe().with(found -> {
            if (owned.get(tp) == partition && found.isPresent() && partition.parkedAt(parked)) {
                writer.appendDetached(tp, found.get().reasserted(clock.instant()));
            } else if (found.isEmpty()) {
                LOG.errorf("parked job %s: its record at %s@%d is gone from the log; it cannot be written again",
                        parked.jobId(), tp, parked.offset());
            }
        }, failure -> LOG.warnf("reading parked job %s back to write it again failed: %s", parked.jobId(),
                failure.getMessage()));
    }

    private void readBack(TopicPartition tp, PartitionReplay partition, PartitionReplay.Parked parked) {
        reader.read(tp, parked.offset()).emitOn(onContext).subscribe().with(found -> {
            reading--;
            if (owned.get(tp) != partition) {
                return;
            }
            if (found.isEmpty()) {
                LOG.errorf("parked job %s: its record at %s@%d is gone from the log (retention?); it cannot be "
                        + "resumed", parked.jobId(), tp, parked.offset());
                partition.forgetParked(parked);
                return;
            }
            PartitionReplay.Adopt adopt = partition.unparked(parked, found.get());
            if (adopt != null) {
                adoption.adopt(tp, partition, adopt);
            }
            adoptWhileRoom();
        }, failure -> {
            reading--;
            LOG.warnf("reading parked job %s back failed, retrying: %s", parked.jobId(), failure.getMessage());
            partition.unparkFailed(parked);
        });
    }
}
