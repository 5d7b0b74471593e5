package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;

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
        assertThat(routing.problemWith(3)).contains("3 partitions", "fewer than the 6");
        assertThatThrownBy(() -> new JobRouting(0)).hasMessageContaining("at least 1");
    }

    @Test
    void refusesAJobLogOfAnotherCountUnlessTheRoutingCountWasSet() {
        WorkerConfig.Topics unset = topics(6, Optional.empty());
        assertThat(JobRouting.from(unset).problemWith(6)).isNull();
        assertThat(JobRouting.from(unset).problemWith(12)).as("created elsewhere, or grown")
                .contains("set worker.topics.job-routing-partitions");
        assertThat(JobRouting.from(topics(6, Optional.of(12))).problemWith(12)).isNull();
        assertThat(JobRouting.from(topics(6, Optional.of(12))).partitionOf("x"))
                .isEqualTo(new JobRouting(12).partitionOf("x"));
        assertThat(JobRouting.from(topics(12, Optional.of(6))).problemWith(24)).as("grown, routing kept").isNull();
    }

    /** Just the two settings routing reads. */
    private static WorkerConfig.Topics topics(int partitions, Optional<Integer> routing) {
        return (WorkerConfig.Topics) Proxy.newProxyInstance(JobRoutingTest.class.getClassLoader(),
                new Class<?>[] {WorkerConfig.Topics.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "partitions" -> partitions;
                    case "jobRoutingPartitions" -> routing;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
