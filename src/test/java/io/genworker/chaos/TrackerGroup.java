package io.genworker.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

import io.genworker.support.WorkerTopics;

/** The tracker's consumer group as the tests wait for it. */
final class TrackerGroup {

    private TrackerGroup() {
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
}
