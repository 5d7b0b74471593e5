package io.genworker.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

import io.genworker.support.WorkerTopics;

/**
 * The moments at which a worker may lose a job it is submitting, as wall-clock intervals: the kills, stops and broker
 * outages a test causes, and every rebalance of the tracker's group, which a watcher thread sees by describing the
 * group every 200 ms. The tracker's group uses Kafka's default (eager) assignor, so a rebalance revokes every
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

    /** What one description said: the group's state and each member's partitions. */
    private record Sample(long askedAt, long answeredAt, String state, Map<String, Set<String>> members) {

        boolean sameGroup(Sample other) {
            return state.equals(other.state) && members.equals(other.members);
        }
    }

    private static final Duration EVERY = Duration.ofMillis(200);

    private final List<Interval> intervals = new CopyOnWriteArrayList<>();
    private final AtomicInteger groupChanges = new AtomicInteger();
    private final Admin admin;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tracker-group-watcher");
        thread.setDaemon(true);
        return thread;
    });
    private Sample previous;

    Disruptions(String bootstrapServers) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
        watcher.scheduleWithFixedDelay(this::look, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
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
    private void look() {
        Sample sample = describe();
        if (sample == null) {
            return;
        }
        if (previous != null && !sample.sameGroup(previous)) {
            intervals.add(new Interval("rebalance", previous.askedAt(), sample.answeredAt()));
            groupChanges.incrementAndGet();
        }
        previous = sample;
    }

    /** The group as the coordinator describes it now; null while the broker does not answer. */
    private Sample describe() {
        long asked = System.currentTimeMillis();
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(WorkerTopics.TRACKER_GROUP))
                    .describedGroups().get(WorkerTopics.TRACKER_GROUP).get(5, TimeUnit.SECONDS);
            Map<String, Set<String>> members = new TreeMap<>();
            for (MemberDescription member : group.members()) {
                Set<String> partitions = new TreeSet<>();
                member.assignment().topicPartitions().forEach(tp -> partitions.add(tp.toString()));
                members.put(member.consumerId(), partitions);
            }
            return new Sample(asked, System.currentTimeMillis(), Objects.toString(group.groupState()), members);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception brokerAway) {
            return null;
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        try {
            watcher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
