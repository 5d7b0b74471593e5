package io.genworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 12 item 3: an operator adds partitions to the job log while jobs are in flight. Every job keeps living on
 * the partition its id was routed to when it arrived: its later transitions and its result are written there, a
 * repeated request of it (before and after the worker's restart, which replays every partition) lands there too
 * and is taken for the duplicate it is, and new jobs go where the routing count says. The worker refreshes its
 * metadata every 3 s, so its clients see the new partitions within the test. Logs in
 * {@code target/partition-growth/}.
 */
class PartitionGrowthIT {

    private static final Duration GENERATION = Duration.ofSeconds(10);
    private static final int JOBS = 40;
    private static final int BEFORE = 6;
    private static final int AFTER = 12;
    private static final Path LOGS = Path.of("target", "partition-growth");

    private static KafkaBroker broker;
    private static ProviderSimulator simulator;
    private static WorkerTopics topics;

    @BeforeAll
    static void startBrokerAndProvider() {
        broker = KafkaBroker.start();
        simulator = ProviderSimulator.start().generationTime(GENERATION);
        topics = new WorkerTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBrokerAndProvider() {
        topics.close();
        simulator.close();
        broker.close();
    }

    @Test
    void jobsInFlightWhenTheJobLogGrowsStayOnTheirPartitionAndAreAnsweredOnce() throws Exception {
        WorkerProcess worker = new WorkerProcess("grower", broker.bootstrapServers(), simulator.baseUrl(), LOGS,
                WorkerProcess.shortPolls(Map.of(
                        "WORKER_TOPICS_PARTITIONS", Integer.toString(BEFORE),
                        "KAFKA_METADATA_MAX_AGE_MS", "3000",
                        "WORKER_POLLING_FIRST_POLL", "5s",
                        "WORKER_POLLING_INTERVAL", "2s")));
        try {
            worker.start().awaitReady();
            Map<String, String> inFlight = requests("before", JOBS);
            topics.sendAll(inFlight);
            Awaitility.await("the first jobs submitted").atMost(Duration.ofMinutes(1))
                    .until(() -> simulator.submissions() >= JOBS);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()))) {
                admin.createPartitions(Map.of(WorkerTopics.JOBS, NewPartitions.increaseTo(AFTER))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            // The tracker's consumer saw the growth once the group assigns it every partition.
            Awaitility.await("the tracker owning the added partitions").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500)).until(() -> topics.jobLogOwners().stream()
                            .mapToInt(Set::size).sum() == AFTER);
            Map<String, String> after = requests("after", JOBS);
            topics.sendAll(inFlight);
            topics.sendAll(after);

            worker.terminate();
            worker.start().awaitReady();
            topics.sendAll(inFlight);
            topics.sendAll(after);

            List<String> ids = new ArrayList<>(inFlight.keySet());
            ids.addAll(after.keySet());
            Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
            RunOutcome outcome = RunOutcome.of(ids, results, simulator);
            Map<String, Set<Integer>> partitions = topics.jobLogPartitions(ids);
            List<String> misrouted = ids.stream().filter(id -> !Set.of(routed(id)).equals(partitions.get(id)))
                    .map(id -> id + " on " + partitions.get(id) + ", routed to " + routed(id)).toList();
            System.out.printf("PARTITION_GROWTH jobs=%d partitions=%d->%d lost=%d double_submissions=%d "
                    + "duplicate_results=%d misrouted=%d completed=%d%n", outcome.jobs(), BEFORE, AFTER,
                    outcome.lost(), outcome.doubleSubmissions(), outcome.duplicateResults(), misrouted.size(),
                    outcome.completed());
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(outcome.lost()).as("jobs without a result").isZero();
                softly.assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
                softly.assertThat(outcome.duplicateResults()).as("second results").isZero();
                softly.assertThat(misrouted).as("jobs with records off their routed partition").isEmpty();
                softly.assertThat(outcome.completed()).as("jobs completed").isEqualTo(ids.size());
            });
            assertThat(simulator.submissions()).as("one submission per job").isEqualTo(ids.size());
        } finally {
            worker.terminate();
        }
    }

    /** Where a job id lives: Kafka's hash of it over the count the job log was created with. */
    private static int routed(String id) {
        return BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), BEFORE);
    }

    private static Map<String, String> requests(String phase, int count) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = "growth-" + phase + "-" + i + "-" + UUID.randomUUID();
            requests.put(id, Requests.anyModel(id, i).toString());
        }
        return requests;
    }
}
