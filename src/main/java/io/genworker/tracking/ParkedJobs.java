package io.genworker.tracking;

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
    private int reading;

    /** @param free places free under the cap of jobs in flight */
    ParkedJobs(JobLogReader reader, OwnedPartitions owned, IntSupplier free, Executor onContext, Adoption adoption) {
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
