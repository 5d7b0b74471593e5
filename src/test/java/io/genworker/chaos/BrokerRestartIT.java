package io.genworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.KafkaBrokerProcess;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 4: the broker goes away in the middle of a run and comes back on the same port and data directory, first
 * stopped (SIGTERM), then crashed (SIGKILL). Two packaged workers keep running throughout: nothing may be lost,
 * nothing submitted or published twice, and both must be ready again without a restart. The broker is a child JVM
 * ({@link KafkaBrokerProcess}), so this runs the same with or without Docker.
 * <p>
 * Each outage starts while the jobs of the first wave are being submitted (some requested, some mid-submit, some
 * already polling); the second wave is produced while the broker is down and arrives when it is back. A job of the
 * first wave whose submission the outage cut off may end SUBMIT_UNCERTAIN (never sent twice), but only such a job:
 * its SUBMITTING record was written before the broker came back and its failure after the broker went (see
 * {@link CutOffs}; a rebalance the watcher sees counts too). The second wave was not in flight when the broker went,
 * and the workers' sessions outlive the outage, so nothing hands its jobs over: every one of them must complete.
 */
class BrokerRestartIT {

    private static final int FIRST_WAVE = 30;
    private static final int SECOND_WAVE = 20;
    private static final Duration GENERATION = Duration.ofSeconds(4);
    private static final Duration OUTAGE = Duration.ofSeconds(6);
    private static final Path HOME = Path.of("target", "broker-restart");
    /**
     * Longer than the outage, broker start-up included (18 to 23 s on an idle 2-core machine), with room for a busy
     * one: the group keeps both members through it, so the outage itself hands no job over.
     */
    private static final String SESSION_TIMEOUT = "60s";

    /** How the broker goes away. */
    enum Outage {
        SIGTERM, SIGKILL
    }

    /**
     * What one outage ended with.
     *
     * @param cutOffs of the first wave: which jobs the outage caught mid-submit, which failures it does not explain
     * @param secondWave how the jobs sent while the broker was down ended
     */
    record Phase(Outage outage, RunOutcome outcome, CutOffs cutOffs, RunOutcome secondWave, int groupChanges,
            Duration down) {

        String line() {
            return String.format("BROKER_RESTART jobs=%d lost=%d double_submissions=%d duplicate_results=%d "
                    + "uncertain=%d (never reached the provider: %d) in_flight_at_stop=%d unexplained_uncertain=%d "
                    + "failures_by_code=%s completed=%d second_wave_completed=%d/%d group_changes=%d outage_s=%.1f "
                    + "stop=%s", outcome.jobs(), outcome.lost(), outcome.doubleSubmissions(),
                    outcome.duplicateResults(), outcome.submitUncertain(), outcome.uncertainNeverSubmitted(),
                    cutOffs.inFlight().size(), cutOffs.unexplained().size(), outcome.failureCounts(),
                    outcome.completed(), secondWave.completed(), secondWave.jobs(), groupChanges,
                    down.toMillis() / 1000.0, outage);
        }
    }

    @Test
    void aBrokerStoppedOrCrashedMidRunLosesNoJobAndSubmitsNoneTwice() throws Exception {
        long start = System.nanoTime();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(HOME);
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(GENERATION);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers());
                Disruptions disruptions = new Disruptions(broker.bootstrapServers());
                KafkaProducer<String, String> upstream = upstreamProducer(broker.bootstrapServers())) {
            List<WorkerProcess> workers = List.of(
                    worker("worker-0", broker, simulator).start(), worker("worker-1", broker, simulator).start());
            try {
                workers.forEach(WorkerProcess::awaitReady);
                List<Long> pids = workers.stream().map(WorkerProcess::pid).toList();

                for (Outage outage : Outage.values()) {
                    Phase phase = runThrough(outage, broker, simulator, topics, disruptions, upstream);
                    System.out.println(phase.line());
                    check(phase);
                    workers.forEach(WorkerProcess::awaitReady);
                    assertThat(workers).as("workers running the same process since the start")
                            .allSatisfy(w -> assertThat(w.alive()).isTrue())
                            .extracting(WorkerProcess::pid).isEqualTo(pids);
                }
                System.out.printf("BROKER_RESTART wall_time_s=%.1f%n", (System.nanoTime() - start) / 1e9);
            } finally {
                workers.forEach(WorkerProcess::terminate);
            }
        }
    }

    /** Every claim of one phase, all reported when several fail. */
    private static void check(Phase phase) {
        RunOutcome outcome = phase.outcome();
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(outcome.lost()).as("jobs without a result").isZero();
            softly.assertThat(outcome.duplicateResults()).as("second results").isZero();
            softly.assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
            softly.assertThat(outcome.completed() + outcome.submitUncertain())
                    .as("jobs completed, or cut off mid-submit and not sent again").isEqualTo(outcome.jobs());
            softly.assertThat(outcome.failureCounts().keySet()).as("error codes of the failed jobs")
                    .isSubsetOf(RunOutcome.SUBMIT_UNCERTAIN);
            softly.assertThat(phase.secondWave().completed()).as("jobs sent while the broker was down, completed")
                    .isEqualTo(SECOND_WAVE);
            softly.assertThat(phase.cutOffs().unexplained())
                    .as("SUBMIT_UNCERTAIN jobs whose submission was not in flight during the outage").isEmpty();
            softly.assertThat(outcome.submitUncertain()).as("SUBMIT_UNCERTAIN jobs, at most those in flight")
                    .isLessThanOrEqualTo(phase.cutOffs().inFlight().size());
        });
    }

    private static Phase runThrough(Outage outage, KafkaBrokerProcess broker, ProviderSimulator simulator,
            WorkerTopics topics, Disruptions disruptions, KafkaProducer<String, String> upstream) throws Exception {
        Map<String, String> first = requests(outage + "-a", FIRST_WAVE);
        Map<String, String> second = requests(outage + "-b", SECOND_WAVE);
        // The group settled first: the workers' joining is not a disruption of the phase.
        TrackerGroup.awaitTwoOwners(topics);
        int submittedBefore = simulator.submissions();
        int groupChangesBefore = disruptions.groupChanges();
        List<Future<RecordMetadata>> sent = send(upstream, first);
        Awaitility.await("half of the first wave submitted").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> simulator.submissions() - submittedBefore >= FIRST_WAVE / 2);

        long down = System.nanoTime();
        long disrupted = disruptions.begin();
        if (outage == Outage.SIGTERM) {
            broker.stop();
        } else {
            broker.kill();
        }
        // An upstream producer blocks in send() while the broker is away; its requests go once it is back.
        CompletableFuture<List<Future<RecordMetadata>>> duringOutage = CompletableFuture
                .supplyAsync(() -> send(upstream, second));
        pause(OUTAGE);
        broker.start();
        disruptions.end("broker " + outage, disrupted);
        Duration downFor = Duration.ofNanos(System.nanoTime() - down);
        sent.addAll(duringOutage.get());
        for (Future<RecordMetadata> request : sent) {
            request.get(); // every request reached the broker: a job without a result is the worker's doing
        }

        List<String> ids = new ArrayList<>(first.keySet());
        ids.addAll(second.keySet());
        Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
        RunOutcome outcome = RunOutcome.of(ids, results, simulator);
        CutOffs cutOffs = CutOffs.of(first.keySet(), outcome.uncertain(),
                JobLogHistory.read(broker.bootstrapServers(), first.keySet()), disruptions);
        return new Phase(outage, outcome, cutOffs, RunOutcome.of(second.keySet(), results, simulator),
                disruptions.groupChanges() - groupChangesBefore, downFor);
    }

    private static WorkerProcess worker(String name, KafkaBrokerProcess broker, ProviderSimulator simulator) {
        return new WorkerProcess(name, broker.bootstrapServers(), simulator.baseUrl(), HOME,
                WorkerProcess.shortPolls(Map.of("WORKER_TRACKER_SESSION_TIMEOUT", SESSION_TIMEOUT)));
    }

    private static Map<String, String> requests(String wave, int count) {
        Map<String, String> requests = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = "restart-" + wave + "-" + i + "-" + UUID.randomUUID();
            requests.put(id, Requests.anyModel(id, i).toString());
        }
        return requests;
    }

    /** An upstream service's producer: it buffers what it sends while the broker is down and delivers it later. */
    private static KafkaProducer<String, String> upstreamProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(5).toMillis(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Duration.ofMinutes(5).toMillis()),
                new StringSerializer(), new StringSerializer());
    }

    private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> producer,
            Map<String, String> requests) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        requests.forEach((id, value) -> sent.add(producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, id,
                value))));
        return sent;
    }

    /** The outage itself is timed: the broker stays down this long whatever happens meanwhile. */
    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
