package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class JobRoutingTest {

    @Test
    void placesAJobIdWhereKafkasDefaultPartitionerPutItForTheSameCount() {
        // Jobs written before the routing existed went where the producer's hash put them: they must not move.
        for (int partitions : new int[] {1, 3, 6, 12, 48}) {
            JobRouting routing = new JobRouting(partitions);
            for (int i = 0; i < 2_000; i++) {
                String id = i % 2 == 0 ? UUID.randomUUID().toString() : "job-" + i + "-ünïcödé/:";
                assertThat(routing.partitionOf(id)).as("%s over %d", id, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8),
                                partitions));
            }
        }
    }

    @Test
    void keepsAJobOnItsPartitionWhenTheTopicGrows() {
        JobRouting routing = new JobRouting(6);
        int moved = 0;
        for (int i = 0; i < 1_000; i++) {
            String id = "job-" + i;
            int before = routing.partitionOf(id);
            moved += BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), 12) != before ? 1 : 0;
            assertThat(before).isBetween(0, 5);
        }
        // What the producer's own hash would have done after growth: about half the ids on another partition.
        assertThat(moved).isBetween(400, 600);
    }

    @Test
    void refusesAJobLogWithFewerPartitionsThanItRoutesTo() {
        JobRouting routing = new JobRouting(6);
        assertThat(routing.problemWith(6)).isNull();
        assertThat(routing.problemWith(12)).as("partitions added").isNull();
        assertThat(routing.problemWith(3)).contains("3 partitions", "job-routing-partitions (6)");
        assertThatThrownBy(() -> new JobRouting(0)).hasMessageContaining("at least 1");
    }
}
