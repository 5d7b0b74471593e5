package io.genworker.chaos;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.genworker.support.WorkerTopics;

/**
 * The moments at which a worker may lose a job it is submitting, as wall-clock intervals: the kills, stops and broker
 * outages a test causes, and every rebalance of the tracker's group, which its watcher ({@link TrackerGroup}) sees by
 * describing the group every 200 ms. The tracker's group uses Kafka's default (eager) assignor, so a rebalance revokes every
 * partition of every member, the survivor's too: a job whose submission is out at that moment is dropped and the next
 * owner finds it SUBMITTING. A rebalance lies between the last description of the old group (from the moment it was
 * asked for) and the first of the changed one (to the moment it came back); a rebalance that changes neither the
 * members, their partitions nor the group's state between two descriptions is not seen, and none of these tests
 * causes one (each membership change brings a new member id).
 */
final class Disruptions implements AutoCloseable {

    /** A stretch of wall-clock time, in epoch milliseconds (the clock job-log timestamps use). */
    record Interval(String cause, long from, long to) {

        boolean overlaps(long start, long end) {
            return start <= to && from <= end;
        }
    }

    private final List<Interval> intervals = new CopyOnWriteArrayList<>();
    private final AtomicInteger groupChanges = new AtomicInteger();
    private final TrackerGroup group;
    private TrackerGroup.Snapshot previous;

    Disruptions(String bootstrapServers) {
        this.group = new TrackerGroup(bootstrapServers, WorkerTopics.TRACKER_GROUP, this::look);
    }

    /** Runs what the test does to a process (a kill, a stop) and records the time it took as a disruption. */
    void during(String cause, Runnable disruption) {
        long from = begin();
        try {
            disruption.run();
        } finally {
            end(cause, from);
        }
    }

    /** Marks the start of a disruption that ends later (a broker down until it is started again). */
    long begin() {
        return System.currentTimeMillis();
    }

    void end(String cause, long from) {
        intervals.add(new Interval(cause, from, System.currentTimeMillis()));
    }

    List<Interval> intervals() {
        return List.copyOf(intervals);
    }

    /** How many changes of the tracker's group the watcher saw (one rebalance shows as one to three). */
    int groupChanges() {
        return groupChanges.get();
    }

    /** Whether a submission in flight from {@code start} to {@code end} (epoch ms) met a disruption. */
    boolean hit(long start, long end) {
        return intervals.stream().anyMatch(i -> i.overlaps(start, end));
    }

    /** One look at the group, on the watcher's thread; a change since the last answer is a rebalance. */
    private void look(TrackerGroup.Snapshot sample) {
        if (previous != null && !sample.sameGroup(previous)) {
            intervals.add(new Interval("rebalance", previous.askedAt(), sample.answeredAt()));
            groupChanges.incrementAndGet();
        }
        previous = sample;
    }

    @Override
    public void close() {
        group.close();
    }
}
