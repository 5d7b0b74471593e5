package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.joblog.JobLog;
import io.genworker.joblog.RecordSchema;
import io.genworker.support.JobLogPartitions;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.genworker.tracking.HeldPartition;
import io.genworker.tracking.JobTracker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A rolling deploy: a newer worker wrote a record this one does not know (a new state, or a newer schema version)
 * on a partition where this worker has a job in flight. It must neither skip the record nor act past it: the job is
 * neither failed nor submitted again, nothing more is called or written for that partition, readiness names it, and
 * the other partitions go on.
 * <p>
 * Held partitions stay held for the life of the application, so this class has a profile of its own (a worker and
 * a broker of its own); each test holds a partition no other test held.
 */
@QuarkusTest
@TestProfile(UnknownRecordTest.OwnWorker.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class UnknownRecordTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = OwnWorkerProfile.PARTITIONS;

    public static class OwnWorker extends OwnWorkerProfile {
    }

    private final WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    private final ProviderSimulator simulator = ProviderSimulatorResource.simulator();

    @Inject
    JobTracker tracker;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @AfterEach
    void disconnect() {
        topics.close();
    }

    @Test
    void aRecordOfAStateThisWorkerDoesNotKnowHoldsItsPartition() throws Exception {
        // A newer worker's new kind of record, with no version bump: its state alone is unknown.
        assertHeldBy("SUSPENDED", "1", body -> body.put("state", "SUSPENDED"),
                "unknown state 'SUSPENDED'", "kind");
    }

    @Test
    void aRecordOfANewerSchemaVersionHoldsItsPartition() throws Exception {
        // Every name in it is known; only the version says that ignoring its new field would be wrong.
        assertHeldBy("SUBMITTED", "5", body -> body.put("archiveAfter", Instant.now().toString()),
                "schema version 5 (this worker knows 4)", "version");
    }

    /**
     * A job in flight on a partition no test held yet; behind it, a record of the job with these headers and its
     * latest body changed so. Then the partition is held and the other partitions keep working.
     */
    private void assertHeldBy(String stateHeader, String schemaHeader, UnaryOperator<ObjectNode> change,
            String what, String reason) throws Exception {
        List<Integer> free = freePartitions();
        int target = free.get(0);
        int other = free.get(1);
        String inFlight = jobOn(target, "in-flight");
        // Its polls fail transiently, so it stays in flight (SUBMITTED, polled with backoff) until the record lands.
        simulator.failPollsOf(inFlight, IntStream.range(0, 1000).mapToObj(i -> Fault.status(503))
                .toArray(Fault[]::new));
        topics.send(inFlight, Requests.textToVideo(inFlight).toString());
        await().atMost(WAIT).until(() -> simulator.callsOf("poll", inFlight) >= 2);
        ConsumerRecord<String, String> submitted = latestJobLogRecord(inFlight);
        assertThat(submitted.partition()).as("the default partitioner put the job where the test expects it")
                .isEqualTo(target);
        assertThat(new String(submitted.headers().lastHeader(JobLog.STATE_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("SUBMITTED");
        assertThat(new String(submitted.headers().lastHeader(RecordSchema.HEADER).value(), StandardCharsets.UTF_8))
                .as("what this worker writes carries its schema version").isEqualTo("1");

        ObjectNode body = (ObjectNode) WorkerTopics.parse(submitted.value());
        // As a newer worker would write it, on the job's partition.
        long offset = JobLogPartitions.write(KafkaBrokerResource.bootstrapServers(), target, inFlight,
                change.apply(body).toString().getBytes(StandardCharsets.UTF_8), stateHeader, schemaHeader);

        HeldPartitionProbe.awaitHeld(readiness, new TopicPartition(WorkerTopics.JOBS, target),
                "held at offset " + offset + ": " + what, WAIT);
        assertThat(HeldPartitionProbe.heldGauge(metrics, reason)).isEqualTo(1);

        // Another partition keeps working while this one is held.
        String elsewhere = jobOn(other, "elsewhere");
        topics.send(elsewhere, Requests.textToVideo(elsewhere).toString());
        assertThat(topics.awaitResult(elsewhere, WAIT).path("status").asText()).isEqualTo("COMPLETED");
        long pollsAfterTheHold = simulator.callsOf("poll", inFlight);

        // A new job on the held partition waits in the log; one more job elsewhere completes meanwhile.
        String behind = jobOn(target, "behind");
        topics.send(behind, Requests.textToVideo(behind).toString());
        String later = jobOn(other, "later");
        topics.send(later, Requests.textToVideo(later).toString());
        assertThat(topics.awaitResult(later, WAIT).path("status").asText()).isEqualTo("COMPLETED");

        assertThat(simulator.callsOf("poll", inFlight)).as("polls of the job in flight after the hold")
                .isEqualTo(pollsAfterTheHold);
        assertThat(simulator.submissionsOf(Requests.prompt(inFlight))).as("submissions of the job in flight")
                .isEqualTo(1);
        assertThat(simulator.submissionsOf(Requests.prompt(behind))).as("submissions of the job behind the record")
                .isZero();
        assertThat(topics.committedResults(List.of(inFlight, behind), Duration.ZERO))
                .as("results of the held partition's jobs").isEmpty();
        assertThat(latestJobLogRecord(inFlight).offset()).as("nothing written for the job after the record")
                .isEqualTo(offset);
        assertThat(topics.jobStates(List.of(behind))).containsEntry(behind, "REQUESTED");
        await().atMost(WAIT).untilAsserted(() -> assertThat(tracker.inFlight())
                .as("the held partition's job is dropped from memory, not failed").isZero());
        assertThat(tracker.held()).extracting(HeldPartition::partition)
                .contains(new TopicPartition(WorkerTopics.JOBS, target))
                .doesNotContain(new TopicPartition(WorkerTopics.JOBS, other));
        assertThat(topics.jobLogOwners()).as("the worker keeps the held partition in the group")
                .singleElement().satisfies(owned -> assertThat(owned)
                        .contains(new TopicPartition(WorkerTopics.JOBS, target)));
    }

    /** The partitions no test has held yet, in order. */
    private List<Integer> freePartitions() {
        Set<Integer> held = tracker.held().stream().map(h -> h.partition().partition()).collect(Collectors.toSet());
        List<Integer> free = IntStream.range(0, PARTITIONS).filter(p -> !held.contains(p)).boxed().toList();
        assertThat(free).as("partitions left for this test").hasSizeGreaterThanOrEqualTo(2);
        return free;
    }

    private static String jobOn(int partition, String name) {
        return JobLogPartitions.jobIdOn(Set.of(new TopicPartition(WorkerTopics.JOBS, partition)), PARTITIONS,
                "unknown-record-" + name + "-");
    }

    private ConsumerRecord<String, String> latestJobLogRecord(String jobId) {
        List<ConsumerRecord<String, String>> records = topics.records(WorkerTopics.JOBS, Set.of(jobId), 1, WAIT);
        return records.get(records.size() - 1);
    }

}
