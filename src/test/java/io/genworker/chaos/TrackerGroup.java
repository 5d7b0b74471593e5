package io.genworker.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

import io.genworker.support.WorkerTopics;

/**
 * The tracker's consumer group as the tests see it. A watcher describes the group every 200 ms (on a thread of its
 * own, as the coordinator answers: a rebalance in between two descriptions that changes nothing they show is not
 * seen) and hands each description to a listener; it also keeps the settled assignments, to count how often the
 * group's partitions changed owner and how many moved each time.
 */
final class TrackerGroup implements AutoCloseable {

    /**
     * One member as the coordinator describes it.
     *
     * @param identity its static identity ({@code group.instance.id}) when it has one, else its member id: a static
     *            member that comes back as a new process is the same owner
     */
    record Member(String memberId, String identity, Set<TopicPartition> partitions) {
    }

    /** What one description said, asked for and answered at these epoch milliseconds. */
    record Snapshot(long askedAt, long answeredAt, String state, List<Member> members) {

        /** The same state and the same members owning the same partitions. */
        boolean sameGroup(Snapshot other) {
            return state.equals(other.state) && members.equals(other.members);
        }

        Set<String> memberIds() {
            return members.stream().map(Member::memberId).collect(Collectors.toSet());
        }

        /** Which member owns each assigned partition, by identity. */
        Map<TopicPartition, String> owners() {
            Map<TopicPartition, String> owners = new HashMap<>();
            members.forEach(m -> m.partitions().forEach(tp -> owners.put(tp, m.identity())));
            return owners;
        }

        /** Stable, with this many members, each owning partitions, and every partition of the job log owned. */
        boolean settled(int memberCount, int partitions) {
            return GroupState.STABLE.toString().equals(state) && members.size() == memberCount
                    && members.stream().noneMatch(m -> m.partitions().isEmpty()) && owners().size() == partitions;
        }
    }

    /** A change of the settled assignment: partitions that went to another owner than the last one they had. */
    record Rebalance(long at, int moved) {
    }

    private static final Duration EVERY = Duration.ofMillis(200);

    private final String groupId;
    private final Admin admin;
    private final Consumer<Snapshot> listener;
    private final List<Rebalance> rebalances = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, String> lastOwners = new HashMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tracker-group-watcher");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Snapshot latest;
    private Map<TopicPartition, String> stableOwners;

    /** Watches the group, handing each description to the listener (on the watcher's thread). */
    TrackerGroup(String bootstrapServers, String groupId, Consumer<Snapshot> listener) {
        this.groupId = groupId;
        this.listener = listener;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
        watcher.scheduleWithFixedDelay(this::look, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    TrackerGroup(String bootstrapServers, String groupId) {
        this(bootstrapServers, groupId, snapshot -> {
        });
    }

    /** Until the group has two members and each owns job-log partitions: a worker that just joined is in. */
    static void awaitTwoOwners(WorkerTopics topics) {
        Awaitility.await("two workers owning job-log partitions").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    List<Set<TopicPartition>> owners = topics.jobLogOwners();
                    return owners.size() == 2 && owners.stream().noneMatch(Set::isEmpty);
                });
    }

    /** The member ids of the latest description (none before the first). */
    Set<String> memberIds() {
        Snapshot now = latest;
        return now == null ? Set.of() : now.memberIds();
    }

    /**
     * Until the group is settled (see {@link Snapshot#settled}) with this many members, at least one of which is not
     * among {@code known}: a worker that just (re)started is in and owns partitions.
     */
    void awaitSettledWithNewcomer(int members, Set<String> known) {
        int partitions = jobLogPartitions();
        Awaitility.await(members + " workers owning every job-log partition, one of them new")
                .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Snapshot now = latest;
                    return now != null && now.settled(members, partitions)
                            && !known.containsAll(now.memberIds());
                });
    }

    /** Until the group is settled with this many members: a worker that left is out. */
    void awaitSettled(int members) {
        awaitSettledWithNewcomer(members, Set.of());
    }

    /** The changes of the settled assignment seen since this epoch millisecond. */
    List<Rebalance> rebalancesSince(long since) {
        return rebalances.stream().filter(r -> r.at() >= since).toList();
    }

    private int jobLogPartitions() {
        return Awaitility.await("the job log created").atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> admin.describeTopics(List.of(WorkerTopics.JOBS)).allTopicNames().get(5, TimeUnit.SECONDS)
                        .get(WorkerTopics.JOBS).partitions().size(), Objects::nonNull);
    }

    /** One look at the group, on the watcher's thread. */
    private void look() {
        Snapshot snapshot = describe();
        if (snapshot == null) {
            return;
        }
        latest = snapshot;
        if (GroupState.STABLE.toString().equals(snapshot.state())) {
            count(snapshot.owners(), snapshot.answeredAt());
        }
        listener.accept(snapshot);
    }

    /** A settled assignment unlike the last one is a rebalance; a partition moved if its owner is not its last. */
    private void count(Map<TopicPartition, String> owners, long at) {
        if (stableOwners != null && !owners.equals(stableOwners)) {
            int moved = 0;
            for (Map.Entry<TopicPartition, String> owner : owners.entrySet()) {
                String last = lastOwners.get(owner.getKey());
                moved += last != null && !last.equals(owner.getValue()) ? 1 : 0;
            }
            rebalances.add(new Rebalance(at, moved));
        }
        stableOwners = owners;
        lastOwners.putAll(owners);
    }

    /** The group as the coordinator describes it now; null while the broker does not answer. */
    private Snapshot describe() {
        long asked = System.currentTimeMillis();
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId))
                    .describedGroups().get(groupId).get(5, TimeUnit.SECONDS);
            List<Member> members = new ArrayList<>();
            for (MemberDescription member : group.members()) {
                members.add(new Member(member.consumerId(), member.groupInstanceId().orElse(member.consumerId()),
                        new HashSet<>(member.assignment().topicPartitions())));
            }
            members.sort(Comparator.comparing(Member::memberId));
            return new Snapshot(asked, System.currentTimeMillis(), Objects.toString(group.groupState()),
                    List.copyOf(members));
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
