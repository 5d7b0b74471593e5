package io.genworker.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A second member of the tracker's consumer group, as a test's stand-in for another worker: while it is in the group
 * it holds job-log partitions away from the worker under test; once closed, the worker gets them back and replays
 * them, with whatever the test wrote to them meanwhile.
 */
public final class TrackerGroupMember implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private final KafkaConsumer<String, byte[]> member;
    private final Set<TopicPartition> taken;
    private final int partitions;

    /** Joins the tracker's group and waits until it holds partitions of a job log with this many partitions. */
    public TrackerGroupMember(String bootstrap, int partitions) {
        this.partitions = partitions;
        this.member = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, WorkerTopics.TRACKER_GROUP,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1),
                new StringDeserializer(), new ByteArrayDeserializer());
        member.subscribe(List.of(WorkerTopics.JOBS));
        await().atMost(WAIT).until(() -> {
            member.poll(Duration.ofMillis(200));
            member.pause(member.assignment());
            return !member.assignment().isEmpty();
        });
        this.taken = Set.copyOf(member.assignment());
    }

    /** The job-log partitions this member holds. */
    public Set<TopicPartition> taken() {
        return taken;
    }

    /** A new job id that lives on one of the partitions this member holds. */
    public String jobIdOnTaken(String prefix) {
        return JobLogPartitions.jobIdOn(taken, partitions, prefix + "-");
    }

    /** Where a job id lives: Kafka's default placement of a key. */
    public int partitionOf(String key) {
        return JobLogPartitions.partitionOf(key, partitions);
    }

    /** Leaves the group: the worker gets the partitions back and replays them. */
    @Override
    public void close() {
        member.close();
    }
}
