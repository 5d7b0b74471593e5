package io.genworker.tracking;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import io.genworker.job.JobRecord;
import io.genworker.job.JobState;

/**
 * A partition's parked jobs (unfinished, kept by the offset of their newest record only), in one queue per provider,
 * each in the order its jobs were parked. Per provider, so that the jobs of a paused provider (which may be many,
 * and wait for days) are passed over in one step when the tracker looks for jobs to bring back into flight, and
 * their count can be left out of the cap while they wait. Confined to the tracker's context.
 * <p>
 * An entry costs the job id, this record and a map entry: about 150 bytes, against kilobytes for a job held in full.
 */
final class ParkedSet {

    /**
     * What is kept of a parked job's newest record: where it is, what the replay's rules look at, and what deciding
     * when to read it back needs.
     *
     * @param provider the queue's own copy of the provider's name (one string per provider, not one per job)
     * @param deadlineMillis the job's deadline in epoch milliseconds, {@link Long#MAX_VALUE} without one
     */
    record Kept(long offset, JobState state, int submitAttempts, String provider, long deadlineMillis) {
    }

    private static final class Queue {
        final String provider;
        final LinkedHashMap<String, Kept> jobs = new LinkedHashMap<>();

        Queue(String provider) {
            this.provider = provider;
        }
    }

    /** Few providers, so a lookup by job id asks each queue. */
    private final Map<String, Queue> byProvider = new HashMap<>();
    private int size;

    /** Parks the job at this record of it, replacing what was kept of it before. */
    void put(String jobId, JobRecord record, long offset) {
        String provider = record.provider() == null ? "" : record.provider();
        remove(jobId);
        Queue queue = byProvider.computeIfAbsent(provider, Queue::new);
        long deadline = record.deadline() == null ? Long.MAX_VALUE : record.deadline().toEpochMilli();
        // A job parked at a newer record goes to the end of its queue. Parked jobs are rarely re-recorded (an echo,
        // a repeated request), so the order stays near enough to arrival.
        queue.jobs.put(jobId, new Kept(offset, record.state(), record.submitAttempts(), queue.provider, deadline));
        size++;
    }

    Kept get(String jobId) {
        for (Queue queue : byProvider.values()) {
            Kept kept = queue.jobs.get(jobId);
            if (kept != null) {
                return kept;
            }
        }
        return null;
    }

    boolean contains(String jobId) {
        return get(jobId) != null;
    }

    /** Takes the job out; returns what was kept of it, or null. */
    Kept remove(String jobId) {
        for (Iterator<Queue> it = byProvider.values().iterator(); it.hasNext();) {
            Queue queue = it.next();
            Kept kept = queue.jobs.remove(jobId);
            if (kept != null) {
                size--;
                if (queue.jobs.isEmpty()) {
                    it.remove();
                }
                return kept;
            }
        }
        return null;
    }

    int size() {
        return size;
    }

    /** Parked jobs of the providers the predicate names. */
    int countOf(Predicate<String> providers) {
        int count = 0;
        for (Queue queue : byProvider.values()) {
            if (providers.test(queue.provider)) {
                count += queue.jobs.size();
            }
        }
        return count;
    }

    /** The providers with parked jobs. */
    Set<String> providers() {
        return byProvider.keySet();
    }

    /**
     * The provider's first parked job, in parking order, that is not {@code skip}ped and that {@code wanted} takes;
     * null if none. Walks the queue, so a caller looking for an uncommon entry (an expired deadline among jobs of a
     * paused provider) pays for its length: do that on a timer, not on every finished job.
     */
    Map.Entry<String, Kept> first(String provider, Set<String> skip, Predicate<Kept> wanted) {
        Queue queue = byProvider.get(provider);
        if (queue == null) {
            return null;
        }
        for (Map.Entry<String, Kept> entry : queue.jobs.entrySet()) {
            if (!skip.contains(entry.getKey()) && wanted.test(entry.getValue())) {
                return entry;
            }
        }
        return null;
    }

    /** Every parked job, queue by queue in parking order. */
    void forEach(BiConsumer<String, Kept> action) {
        for (Queue queue : byProvider.values()) {
            queue.jobs.forEach(action);
        }
    }
}
