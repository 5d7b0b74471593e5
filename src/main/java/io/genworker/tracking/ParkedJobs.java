package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.joblog.JobLogReader;
import io.genworker.provider.ProviderPauses;

/**
 * Brings parked jobs (unfinished jobs kept by offset only: found by a replay past the cap of jobs in flight, or
 * waiting for a provider whose account is refused) into flight: each one's newest record is read back from the log
 * at the offset kept, so no input waits in memory, and adopted if it is still the job's newest. Runs on the
 * tracker's context.
 * <p>
 * Jobs of a paused provider come back three ways only: all of them once the pause is lifted, one when the
 * provider's probe is due (the probe is a job's submission; refused again, the job parks again), and those whose
 * wait for the account has run out (deadline plus `max-account-wait`), which then fail ACCOUNT_REFUSED. Until
 * then they take no place under the cap, so the other providers' jobs go on.
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
    private final ProviderPauses pauses;
    private final Duration accountWait;
    /** Paused providers whose probe job is being read back: one at a time. */
    private final Set<String> probeReads = new HashSet<>();
    /** Written on the tracker's context, read from other shards' too. */
    private volatile int reading;

    /**
     * @param free places free under the cap of jobs in flight
     * @param accountWait how long past its deadline a job may wait for a paused provider
     */
    ParkedJobs(JobLogReader reader, OwnedPartitions owned, IntSupplier free, Executor onContext, Adoption adoption,
            JobLogWriter writer, Clock clock, ProviderPauses pauses, Duration accountWait) {
        this.pauses = pauses;
        this.accountWait = accountWait;
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

    /**
     * Reads parked jobs of providers that may be called back, partition by partition in the order they were parked,
     * while places are free; and the probe job of each paused provider whose probe is due.
     */
    void adoptWhileRoom() {
        Instant now = clock.instant();
        Predicate<String> callable = provider -> !pauses.isPaused(provider);
        Predicate<String> probeDue = provider -> pauses.isPaused(provider) && !probeReads.contains(provider)
                && pauses.probeDue(provider, now);
        readBackCancelled();
        readBack(callable, kept -> true, null);
        readBack(probeDue, kept -> true, probeReads);
        owned.count();
    }

    /**
     * Parked jobs with a cancel command come first, whatever the room and their provider's state: carrying the
     * command out calls no provider, and the job leaves flight as soon as its CANCELLED record is committed.
     */
    private void readBackCancelled() {
        for (Map.Entry<TopicPartition, PartitionReplay> entry : owned.all().entrySet()) {
            PartitionReplay partition = entry.getValue();
            while (reading < MAX_READING) {
                PartitionReplay.Parked next = partition.nextCancelledToUnpark();
                if (next == null) {
                    break;
                }
                reading++;
                readBack(entry.getKey(), partition, next, null);
            }
        }
    }

    /** {@link #adoptWhileRoom}, and the jobs of paused providers whose wait has run out (they then fail). */
    void tick() {
        adoptWhileRoom();
        long now = clock.millis();
        long waitMillis = accountWait.toMillis();
        readBack(pauses::isPaused, kept -> kept.deadlineMillis() != Long.MAX_VALUE
                && kept.deadlineMillis() + waitMillis <= now, null);
    }

    /**
     * @param probes when reading probes: the providers whose probe is read back (one per provider), else null
     */
    private void readBack(Predicate<String> providers, Predicate<ParkedSet.Kept> wanted, Set<String> probes) {
        for (Map.Entry<TopicPartition, PartitionReplay> entry : owned.all().entrySet()) {
            PartitionReplay partition = entry.getValue();
            if (partition.replaying()) {
                // Its parked jobs' newest records may still come: adopted now, one could be driven from a state
                // the rest of the replay supersedes (submitted again, answered twice).
                continue;
            }
            while (reading < MAX_READING && free.getAsInt() - reading > 0) {
                PartitionReplay.Parked next = partition.nextToUnpark(providers, wanted);
                if (next == null) {
                    break;
                }
                reading++;
                String probe = null;
                if (probes != null) {
                    probe = partition.parkedProvider(next);
                    probes.add(probe);
                }
                readBack(entry.getKey(), partition, next, probe);
            }
        }
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

    private void readBack(TopicPartition tp, PartitionReplay partition, PartitionReplay.Parked parked, String probe) {
        reader.read(tp, parked.offset()).emitOn(onContext).subscribe().with(found -> {
            reading--;
            probeReads.remove(probe);
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
            probeReads.remove(probe);
            LOG.warnf("reading parked job %s back failed, retrying: %s", parked.jobId(), failure.getMessage());
            partition.unparkFailed(parked);
        });
    }
}
