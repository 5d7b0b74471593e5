package io.genworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.kafka.KafkaSettings;
import io.genworker.kafka.KafkaWriter;
import io.genworker.support.KafkaBrokerProcess;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.StubWorkerConfig;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 11 item 4: the broker crashes (SIGKILL) and stays away for more than two minutes, longer than any timeout
 * of the clients or of SmallRye's commit strategy, while intake is in the middle of a burst of requests and the
 * jobs of an earlier wave are being polled. The packaged worker must come through it as the same process: every
 * job ends with exactly one result, none is submitted twice, and requests written after the broker is back are
 * processed too.
 * <p>
 * To be sure the outage starts mid-intake, the broker throttles the worker's writer (a Kafka client quota) while the
 * burst arrives, so that intake takes many seconds over it; the quota is lifted once the broker is back. A job whose
 * submission was cut off may end SUBMIT_UNCERTAIN (never sent twice): those are counted, not failed.
 */
class LongOutageIT {

    private static final int POLLING_WAVE = 20;
    private static final int BURST = 200;
    private static final int AFTER_WAVE = 20;
    /** Bytes of random (incompressible) metadata per burst request: about 3 KB a job-log record. */
    private static final int METADATA_PAD = 2000;
    /** About 10 of the burst's records a second reach the job log while the quota holds: a burst of 20 s. */
    private static final double WRITER_BYTES_PER_SECOND = 30_000;
    private static final Duration GENERATION = Duration.ofSeconds(8);
    private static final Duration OUTAGE = Duration.ofMinutes(2);
    /** The worker's writer on this host (no instance id: its client id ends with the host name, as here). */
    private static final String WRITER_CLIENT_ID = KafkaSettings.clientId(Map.of(), new StubWorkerConfig(),
            KafkaWriter.CLIENT);
    private static final Path HOME = Path.of("target", "long-outage");

    @Test
    void aBrokerAwayForMinutesMidIntakeLosesNoJobAndSubmitsNoneTwice() throws Exception {
        long start = System.nanoTime();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(HOME);
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(GENERATION);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers())) {
            WorkerProcess worker = new WorkerProcess("worker", broker.bootstrapServers(), simulator.baseUrl(), HOME,
                    WorkerProcess.shortPolls(Map.of(
                            "WORKER_PROVIDERS_AIMLAPI_REQUESTS_PER_SECOND", "1000",
                            "WORKER_PROVIDERS_SEGMIND_REQUESTS_PER_SECOND", "1000")))
                    .start();
            try {
                worker.awaitReady();
                long pid = worker.pid();

                Map<String, String> polling = requests("poll", POLLING_WAVE, 0);
                topics.sendAll(polling);
                Awaitility.await("the first wave submitted").atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> simulator.submissions() >= POLLING_WAVE);

                Map<String, String> burst = requests("burst", BURST, METADATA_PAD);
                long loggedBefore;
                try (Admin admin = admin(broker)) {
                    throttleWriter(admin, WRITER_BYTES_PER_SECOND);
                    loggedBefore = jobLogEnd(admin);
                    topics.sendAll(burst);
                    Awaitility.await("intake under way with the burst").atMost(Duration.ofMinutes(1))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> jobLogEnd(admin) - loggedBefore >= 5);
                }

                long down = System.nanoTime();
                broker.kill();
                pause(OUTAGE);
                broker.start();
                Duration downFor = Duration.ofNanos(System.nanoTime() - down);
                try (Admin admin = admin(broker)) {
                    throttleWriter(admin, null);
                }

                Map<String, String> after = requests("after", AFTER_WAVE, 0);
                topics.sendAll(after);

                List<String> ids = new ArrayList<>(polling.keySet());
                ids.addAll(burst.keySet());
                ids.addAll(after.keySet());
                Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
                RunOutcome outcome = RunOutcome.of(ids, results, simulator);
                System.out.printf("LONG_OUTAGE jobs=%d lost=%d double_submissions=%d duplicate_results=%d "
                        + "uncertain=%d completed=%d after_outage_completed=%d/%d outage_s=%.1f%n", outcome.jobs(),
                        outcome.lost(), outcome.doubleSubmissions(), outcome.duplicateResults(),
                        outcome.submitUncertain(), outcome.completed(), completed(after.keySet(), results),
                        AFTER_WAVE, downFor.toMillis() / 1000.0);

                assertThat(downFor).as("outage").isGreaterThanOrEqualTo(OUTAGE);
                assertThat(outcome.lost()).as("jobs without a result").isZero();
                assertThat(outcome.duplicateResults()).as("second results").isZero();
                assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
                assertThat(outcome.completed() + outcome.submitUncertain())
                        .as("jobs completed, or cut off mid-submit and not sent again").isEqualTo(outcome.jobs());
                assertThat(completed(after.keySet(), results)).as("requests written after the outage completed")
                        .isEqualTo(AFTER_WAVE);

                worker.awaitReady();
                assertThat(worker.alive()).as("the worker is still running").isTrue();
                assertThat(worker.pid()).as("the same process as before the outage").isEqualTo(pid);
                System.out.printf("LONG_OUTAGE wall_time_s=%.1f%n", (System.nanoTime() - start) / 1e9);
            } finally {
                worker.terminate();
            }
        }
    }

    private static long completed(Iterable<String> ids, Map<String, List<JsonNode>> results) {
        long completed = 0;
        for (String id : ids) {
            List<JsonNode> mine = results.getOrDefault(id, List.of());
            completed += !mine.isEmpty() && "COMPLETED".equals(mine.get(0).path("status").asText()) ? 1 : 0;
        }
        return completed;
    }

    private static Map<String, String> requests(String wave, int count, int metadataBytes) {
        Random random = new Random(wave.hashCode());
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = "outage-" + wave + "-" + i + "-" + UUID.randomUUID();
            ObjectNode request = Requests.anyModel(id, i);
            if (metadataBytes > 0) {
                byte[] pad = new byte[metadataBytes * 3 / 4];
                random.nextBytes(pad);
                request.putObject("metadata").put("pad", Base64.getEncoder().encodeToString(pad));
            }
            requests.put(id, request.toString());
        }
        return requests;
    }

    /** Sets (or, with null, lifts) a produce quota on the worker's writer: intake's job-log writes among them. */
    private static void throttleWriter(Admin admin, Double bytesPerSecond) throws Exception {
        ClientQuotaEntity writer = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, WRITER_CLIENT_ID));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(writer,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))))).all()
                .get(30, TimeUnit.SECONDS);
    }

    /** Records in the job log so far, over all its partitions. */
    private static long jobLogEnd(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        admin.describeTopics(List.of(WorkerTopics.JOBS)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(WorkerTopics.JOBS).partitions()
                .forEach(p -> latest.put(new TopicPartition(WorkerTopics.JOBS, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private static Admin admin(KafkaBrokerProcess broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /** The outage itself is timed: the broker stays down this long whatever happens meanwhile. */
    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
