package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLog;
import io.genworker.support.JobLogPartitions;
import io.genworker.support.TrackerGroupMember;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.genworker.tracking.JobTracker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The rolling deploy seen from the other side: a partition another worker owned (a newer one, which wrote a record
 * of a newer schema version there) comes to this worker, whose replay meets the record. The partition is held
 * there: the jobs before and after the record are neither submitted nor written, readiness names it, the worker
 * keeps it in the group, and its other partitions go on.
 */
@QuarkusTest
@TestProfile(UnknownRecordReplayTest.OwnWorker.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class UnknownRecordReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = OwnWorkerProfile.PARTITIONS;

    public static class OwnWorker extends OwnWorkerProfile {
    }

    private final WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());

    @Inject
    JobLog jobLog;

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
    void aPartitionTakenOverWithANewerRecordInItsHistoryIsHeldByItsReplay() throws Exception {
        String bootstrap = KafkaBrokerResource.bootstrapServers();
        TopicPartition taken;
        String before;
        String after;
        long offset;
        try (TrackerGroupMember newerWorker = new TrackerGroupMember(bootstrap, PARTITIONS)) {
            taken = newerWorker.taken().iterator().next();
            before = JobLogPartitions.jobIdOn(Set.of(taken), PARTITIONS, "replay-before-");
            after = JobLogPartitions.jobIdOn(Set.of(taken), PARTITIONS, "replay-after-");
            // What the newer worker's intake and tracker wrote while it owned the partition: a job, a record of it
            // that needs schema version 4 (a field this worker would ignore wrongly), and a job after it.
            JobRecord requested = requested(before);
            write(taken, before, jobLog.encode(requested), "REQUESTED", "1");
            ObjectNode submitting = (ObjectNode) WorkerTopics.parse(new String(
                    jobLog.encode(requested.submitting(Instant.now())), StandardCharsets.UTF_8));
            offset = write(taken, before, submitting.put("submitVia", "batch-api").toString()
                    .getBytes(StandardCharsets.UTF_8), "SUBMITTING", "5");
            write(taken, after, jobLog.encode(requested(after)), "REQUESTED", "1");
        }
        // The newer worker left: its partitions come to this worker, which replays them.

        HeldPartitionProbe.awaitHeld(readiness, taken,
                "held at offset " + offset + ": schema version 5 (this worker knows 4)", WAIT);
        assertThat(HeldPartitionProbe.heldGauge(metrics, "version")).isEqualTo(1);

        String elsewhere = JobLogPartitions.jobIdOn(otherThan(taken), PARTITIONS, "replay-elsewhere-");
        topics.send(elsewhere, Requests.textToVideo(elsewhere).toString());
        assertThat(topics.awaitResult(elsewhere, WAIT).path("status").asText()).isEqualTo("COMPLETED");

        assertThat(ProviderSimulatorResource.simulator().submissionsOf(Requests.prompt(before))).isZero();
        assertThat(ProviderSimulatorResource.simulator().submissionsOf(Requests.prompt(after))).isZero();
        assertThat(topics.committedResults(List.of(before, after), Duration.ZERO)).isEmpty();
        assertThat(topics.jobStates(List.of(before, after)))
                .as("nothing written for them after the newer worker's records")
                .containsEntry(before, "SUBMITTING").containsEntry(after, "REQUESTED");
        await().atMost(WAIT).untilAsserted(() -> assertThat(tracker.inFlight()).isZero());
        assertThat(topics.jobLogOwners()).as("the worker keeps the held partition in the group")
                .singleElement().satisfies(owned -> assertThat(owned).contains(taken));
    }


    private static long write(TopicPartition partition, String jobId, byte[] value, String state, String schema)
            throws Exception {
        return JobLogPartitions.write(KafkaBrokerResource.bootstrapServers(), partition.partition(), jobId, value,
                state, schema);
    }

    private static JobRecord requested(String id) {
        Instant now = Instant.now();
        return JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video",
                (ObjectNode) Requests.textToVideo(id).get("input"), null, now, now.plus(Duration.ofMinutes(10)));
    }

    private static Set<TopicPartition> otherThan(TopicPartition held) {
        return IntStream.range(0, PARTITIONS).filter(p -> p != held.partition())
                .mapToObj(p -> new TopicPartition(WorkerTopics.JOBS, p)).collect(Collectors.toSet());
    }
}
