package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.TrackerGroupMember;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A previous owner crashed with a result transaction open, after which it had written a job's SUBMITTING and
 * SUBMITTED records. Read committed, those stay hidden until the transaction times out; the next owner's replay
 * must wait for them rather than end at the last stable offset, find the job REQUESTED and submit it a second time.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ReplayBehindOpenTransactionTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 3;

    @Inject
    JobLog jobLog;

    @Test
    void aReplayWaitsForAnOpenTransactionAndSeesTheSubmissionWrittenAfterIt() throws Exception {
        String bootstrap = KafkaBrokerResource.bootstrapServers();
        String id;
        try (TrackerGroupMember previousOwner = new TrackerGroupMember(bootstrap, PARTITIONS)) {
            id = previousOwner.jobIdOnTaken("behind-open-txn");
            Instant now = Instant.now();
            JobRecord requested = JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video",
                    input(id), null, now, now.plus(Duration.ofMinutes(10)));
            JobRecord submitting = requested.submitting(now);
            KafkaProducer<String, byte[]> crashed = producer(bootstrap, "crashed-owner-" + UUID.randomUUID());
            try (KafkaProducer<String, byte[]> plain = producer(bootstrap, null)) {
                plain.send(jobLog.record(requested)).get();
                crashed.initTransactions();
                crashed.beginTransaction();
                // On the job's own partition, which is what holds the job's later records back.
                ProducerRecord<String, byte[]> other = jobLog.record(JobRecord.requested("never-committed-"
                        + UUID.randomUUID(), "aimlapi", "pixverse/v5/text-to-video", input(id), null, now,
                        now.plus(Duration.ofMinutes(10))));
                crashed.send(new ProducerRecord<>(other.topic(), previousOwner.partitionOf(id), other.key(), other.value(),
                        other.headers())).get();
                plain.send(jobLog.record(submitting)).get();
                plain.send(jobLog.record(submitting.submitted("gone-" + UUID.randomUUID(), null, now))).get();
            } finally {
                // Gone with its transaction open, as in a crash: a graceful close would abort it.
                crashed.close(Duration.ZERO);
            }
        }

        try (WorkerTopics topics = new WorkerTopics(bootstrap)) {
            JsonNode result = topics.awaitResult(id, WAIT);

            assertThat(ProviderSimulatorResource.simulator().submissionsOf(Requests.prompt(id)))
                    .as("the previous owner had submitted it").isZero();
            assertThat(result.path("error").path("code").asText())
                    .as("polled under the previous owner's provider job id, which the provider no longer knows")
                    .isEqualTo("RESULT_EXPIRED");
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode input(String id) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) Requests.textToVideo(id).get("input");
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, String transactionalId) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"));
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000);
        }
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
