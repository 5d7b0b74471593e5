package io.genworker.chaos;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.job.JobState;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.RunOutcome;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 12 item 2: a zombie. Worker Z is frozen with SIGSTOP while it has submissions out, past its session
 * timeout, so the group gives its partitions to worker B, which replays them and drives their jobs; then Z is
 * resumed with SIGCONT, still believing it owns them, its timers due and the provider's answers waiting in its
 * sockets. Whatever Z writes for those partitions from then on must be refused by the broker (B's
 * {@code initTransactions} fenced Z's transactional ids), so Z submits nothing that B submits, publishes no second
 * result, and its records stop at the freeze: committed job-log records written by Z after the resume exist only
 * on partitions the group gave back to Z after it rejoined. Jobs whose submission Z had in flight at the freeze may
 * end SUBMIT_UNCERTAIN (that is a crash); none may be lost, billed twice or answered twice. Logs in
 * {@code target/zombie/}.
 */
class ZombieWorkerIT {

    private static final Duration GENERATION = Duration.ofSeconds(8);
    private static final Duration SUBMIT_ANSWER = Duration.ofSeconds(2);
    private static final Duration PACE = Duration.ofMillis(200);
    /** Room for two worker JVMs and the broker on two busy cores; the freeze lasts well past it. */
    private static final String SESSION_TIMEOUT = "12s";
    /** Once B owns everything, how long Z stays frozen while B drives Z's former jobs. */
    private static final Duration FROZEN_AFTER_TAKE_OVER = Duration.ofSeconds(5);
    /** Slack for the 200 ms group descriptions: a write this much before Z is seen owning a partition is Z's. */
    private static final long DESCRIBE_SLACK_MS = 500;
    /** Jobs sent after the resume and the zombie's return: the fleet of two must go on as before. */
    private static final int TAIL_JOBS = 50;
    private static final Path LOGS = Path.of("target", "zombie");
    private static final String GROUP = "zombie-tracker";

    private static KafkaBroker broker;
    private static ProviderSimulator simulator;
    private static WorkerTopics topics;

    @BeforeAll
    static void startBrokerAndProvider() {
        broker = KafkaBroker.start();
        simulator = ProviderSimulator.start().generationTime(GENERATION).submitAnswerDelay(SUBMIT_ANSWER);
        topics = new WorkerTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBrokerAndProvider() {
        topics.close();
        simulator.close();
        broker.close();
    }

    @Test
    void aWorkerFrozenPastItsSessionWritesNothingForThePartitionsItLostOnceResumed() {
        Map<String, Long> zombieOwnsAgainAt = new ConcurrentHashMap<>();
        long[] resumedAt = {Long.MAX_VALUE};
        try (TrackerGroup group = new TrackerGroup(broker.bootstrapServers(), GROUP, snapshot -> {
            if (snapshot.askedAt() >= resumedAt[0]) {
                snapshot.owners().forEach((tp, owner) -> {
                    if (owner.equals("zombie-Z")) {
                        zombieOwnsAgainAt.putIfAbsent(tp.toString(), snapshot.askedAt());
                    }
                });
            }
        })) {
            WorkerProcess zombie = worker("Z");
            WorkerProcess survivor = worker("B");
            zombie.start().awaitReady();
            survivor.start().awaitReady();
            group.awaitSettled(2);
            SteadyLoad load = new SteadyLoad(broker.bootstrapServers(), "zombie", PACE);
            try {
                int inFlightAtFreeze = awaitInFlight(keyOf("Z"));
                long frozenAt = System.currentTimeMillis();
                zombie.freeze();
                group.awaitSettled(1);
                long takenOverAt = System.currentTimeMillis();
                sleep(FROZEN_AFTER_TAKE_OVER);
                resumedAt[0] = System.currentTimeMillis();
                zombie.thaw();
                System.out.printf("zombie: frozen %.1f s (taken over after %.1f s) with %d submissions out%n",
                        (resumedAt[0] - frozenAt) / 1e3, (takenOverAt - frozenAt) / 1e3, inFlightAtFreeze);
                int sentAtResume = load.sent();
                group.awaitSettled(2);
                Awaitility.await("the load running on after the resume").atMost(Duration.ofMinutes(1))
                        .until(() -> load.sent() >= sentAtResume + TAIL_JOBS);
            } finally {
                load.stop();
            }
            List<String> ids = load.stop();
            Map<String, List<JsonNode>> results = topics.committedResults(ids, Duration.ofMinutes(3));
            RunOutcome outcome = RunOutcome.of(ids, results, simulator);
            List<String> zombieWrites = zombieWritesAfter(resumedAt[0], zombieOwnsAgainAt);
            long zombieSubmitsAfterResume = simulator.calls().stream()
                    .filter(c -> c.operation().equals(ProviderSimulator.SUBMIT) && keyOf("Z").equals(c.apiKey())
                            && c.at().isAfter(Instant.ofEpochMilli(resumedAt[0])))
                    .count();
            // The zombie polls too once resumed (a poll costs nothing and writes nothing until its result, which
            // is fenced): what counts is that the survivor took the zombie's running jobs over.
            long movedToSurvivor = ids.stream().filter(id -> keyOf("Z").equals(lastKey(ProviderSimulator.SUBMIT, id))
                    && simulator.callHistory(ProviderSimulator.POLL, Requests.prompt(id)).stream()
                            .anyMatch(c -> keyOf("B").equals(c.apiKey()))).count();
            System.out.printf("ZOMBIE jobs=%d lost=%d double_submissions=%d duplicate_results=%d uncertain=%d "
                    + "zombie_writes_on_lost_partitions=%d zombie_submits_after_resume=%d moved_to_survivor=%d "
                    + "failures_by_code=%s partitions_back_to_zombie=%s%n", outcome.jobs(), outcome.lost(),
                    outcome.doubleSubmissions(), outcome.duplicateResults(), outcome.submitUncertain(),
                    zombieWrites.size(), zombieSubmitsAfterResume, movedToSurvivor, outcome.failureCounts(),
                    zombieOwnsAgainAt.keySet());
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(outcome.lost()).as("jobs without a result").isZero();
                softly.assertThat(outcome.doubleSubmissions()).as("jobs submitted twice").isZero();
                softly.assertThat(outcome.duplicateResults()).as("second results").isZero();
                softly.assertThat(zombieWrites).as("job-log records the zombie committed after its resume on "
                        + "partitions it did not own again").isEmpty();
                softly.assertThat(movedToSurvivor).as("jobs the zombie submitted and the survivor polled")
                        .isPositive();
                softly.assertThat(outcome.failureCounts().keySet()).as("error codes of failed jobs")
                        .isSubsetOf(Set.of(RunOutcome.SUBMIT_UNCERTAIN));
            });
        }
    }

    private static WorkerProcess worker(String name) {
        simulator.alsoAcceptKey(keyOf(name));
        return new WorkerProcess("zombie-" + name, broker.bootstrapServers(), simulator.baseUrl(), LOGS,
                WorkerProcess.shortPolls(Map.of(
                        "AIMLAPI_API_KEY", keyOf(name),
                        "WORKER_TRACKER_GROUP_ID", GROUP,
                        "WORKER_TRACKER_INSTANCE_ID", "zombie-" + name,
                        "WORKER_TRACKER_SESSION_TIMEOUT", SESSION_TIMEOUT,
                        "WORKER_POLLING_FIRST_POLL", "5s",
                        "WORKER_POLLING_INTERVAL", "2s")));
    }

    private static String keyOf(String worker) {
        return "sk-FAKE-zombie-" + worker + "-0123456789";
    }

    /**
     * Until the worker with this key has generations running (submitted a while ago, for the survivor to poll to
     * their end) and a few submissions out that the provider has not answered yet.
     */
    private static int awaitInFlight(String key) {
        Awaitility.await("the zombie-to-be with generations running and submissions in flight")
                .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> submitted(key) - inFlight(key) >= 5 && inFlight(key) >= 2);
        return inFlight(key);
    }

    private static long submitted(String key) {
        return simulator.calls().stream()
                .filter(c -> c.operation().equals(ProviderSimulator.SUBMIT) && key.equals(c.apiKey())).count();
    }

    private static int inFlight(String key) {
        Instant answeredBefore = Instant.now().minus(SUBMIT_ANSWER);
        return (int) simulator.calls().stream()
                .filter(c -> c.operation().equals(ProviderSimulator.SUBMIT) && !c.faulted()
                        && c.at().isAfter(answeredBefore) && key.equals(c.apiKey()))
                .count();
    }

    private static String lastKey(String operation, String id) {
        return simulator.lastCallOf(operation, Requests.prompt(id)).map(ProviderSimulator.Call::apiKey)
                .orElse(null);
    }

    /**
     * The committed job-log records the zombie wrote (its writer header) after the resume on a partition before the
     * group was seen giving that partition back to it: each one a write of a partition it had lost.
     */
    private static List<String> zombieWritesAfter(long resumedAt, Map<String, Long> ownsAgainAt) {
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(WorkerTopics.JOBS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header writer = record.headers().lastHeader(JobLog.WRITER_HEADER);
                    JobState state = JobLog.stateOf(record.headers());
                    // REQUESTED records are intake's (it needs no partition: a repeated one is deduplicated).
                    if (writer == null || !"zombie-Z".equals(new String(writer.value(), StandardCharsets.UTF_8))
                            || record.timestamp() < resumedAt || state == JobState.REQUESTED) {
                        continue;
                    }
                    String tp = record.topic() + "-" + record.partition();
                    Long owned = ownsAgainAt.get(tp);
                    if (owned == null || record.timestamp() < owned - DESCRIBE_SLACK_MS) {
                        found.add(tp + "@" + record.offset() + " " + state + " " + record.key() + " at +"
                                + (record.timestamp() - resumedAt) + " ms");
                    }
                }
            }
        }
        return found;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
