package io.genworker.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.config.WorkerConfig;
import io.genworker.intake.DeadLetterPublisher;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every request of the hostile corpus goes through the real broker at once, followed by one valid request. Each
 * must end exactly once, as its entry declares: a FAILED result naming the field and rule, or a dead letter with
 * the reason; none may reach a provider, and the valid request behind them must still complete.
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class HostileInputTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** A topic configured for larger records than the worker accepts: the worker's own limit must hold. */
    private static final int TOPIC_MAX_BYTES = 8 * 1024 * 1024;
    /** No refusal may be bigger than this, however big the request. */
    private static final int MAX_RESULT_BYTES = 64 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Run run;

    @TestHTTPResource("/q/health/ready")
    URL readinessUrl;

    @Inject
    WorkerConfig config;

    /** The corpus as sent, and what came out of the worker for each case. */
    private record Run(Map<String, HostileCorpus.Case> cases, Map<String, List<ConsumerRecord<String, byte[]>>> results,
            Map<String, List<ConsumerRecord<String, byte[]>>> deadLetters, JsonNode validAfterwards,
            List<ProviderSimulator.Call> providerCalls, String validJobId, Set<String> jobLogKeys) {
    }

    static Stream<String> caseNames() {
        return HostileCorpus.load().stream().map(HostileCorpus.Case::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void endsExactlyOnceAsDeclared(String name) {
        HostileCorpus.Case hostile = run().cases().get(name);
        List<ConsumerRecord<String, byte[]>> results = run().results().get(name);
        List<ConsumerRecord<String, byte[]>> deadLetters = run().deadLetters().get(name);

        if (hostile.deadLetter()) {
            assertThat(results).as("results").isEmpty();
            assertThat(deadLetters).as("dead letters").hasSize(1);
            ConsumerRecord<String, byte[]> dead = deadLetters.get(0);
            assertThat(header(dead, DeadLetterPublisher.REASON)).contains(hostile.dlqReason());
            String omitted = header(dead, DeadLetterPublisher.OMITTED);
            if (omitted == null) {
                assertThat(dead.key()).isEqualTo(hostile.key());
                assertThat(dead.value()).isEqualTo(hostile.value());
            } else {
                assertThat(dead.value()).isNull();
                assertThat(omitted).contains("value of " + hostile.value().length + " bytes");
                assertThat(dead.key()).isEqualTo(omitted.contains("key of") ? null : hostile.key());
            }
        } else {
            assertThat(deadLetters).as("dead letters").isEmpty();
            assertThat(results).as("results").hasSize(1);
            ConsumerRecord<String, byte[]> record = results.get(0);
            assertThat(record.value().length).as("result size").isLessThan(MAX_RESULT_BYTES);
            JsonNode result = WorkerTopics.parse(new String(record.value(), StandardCharsets.UTF_8));
            HostileCorpus.Refusal refusal = hostile.refusal();
            assertThat(result.path("jobId").asText()).isEqualTo(record.key());
            assertThat(result.path("status").asText()).isEqualTo("FAILED");
            assertThat(header(record, "ce_type")).isEqualTo("generation.failed");
            assertThat(result.path("error").path("code").asText()).isEqualTo(refusal.code());
            assertThat(result.path("error").path("retryable").asBoolean()).isFalse();
            assertThat(result.path("error").path("details")).anySatisfy(detail -> {
                assertThat(detail.path("field").asText()).startsWith(refusal.field());
                assertThat(detail.path("rule").asText()).startsWith(refusal.rule());
            });
        }
    }

    @Test
    void noHostileRequestBecomesAJobOrReachesAProvider() {
        List<ProviderSimulator.Call> submissions = run().providerCalls().stream()
                .filter(call -> call.operation().equals("submit")).toList();

        assertThat(submissions).singleElement()
                .satisfies(call -> assertThat(call.prompt()).contains(run().validJobId()));
        assertThat(run().jobLogKeys()).contains(run().validJobId());
        assertThat(run().jobLogKeys()).doesNotContainAnyElementsOf(run().results().values().stream()
                .flatMap(List::stream).map(ConsumerRecord::key).toList());
    }

    @Test
    void aValidRequestAsLargeAsTheLimitAllowsCompletesAndIntakeGoesOn() throws Exception {
        String large = "at-the-limit-" + UUID.randomUUID();
        String next = "after-the-limit-" + UUID.randomUUID();
        ObjectNode request = Requests.imageToVideo(large);
        int room = config.intake().maxRecordBytes() - request.toString().getBytes(StandardCharsets.UTF_8).length;
        String image = "data:image/png;base64,";
        ((ObjectNode) request.get("input")).put("image_url", image + "A".repeat(room + Requests.IMAGE.length()
                - image.length()));
        byte[] value = request.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(value).hasSize(config.intake().maxRecordBytes());
        allowLargeRecords(KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = producer(KafkaBrokerResource.bootstrapServers())) {
            producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, large, value)).get();
            producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, next,
                    Requests.textToVideo(next).toString().getBytes(StandardCharsets.UTF_8))).get();
        }

        try (WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers())) {
            Map<String, JsonNode> results = topics.awaitResults(List.of(large, next), WAIT);

            assertThat(results.get(large).path("status").asText()).isEqualTo("COMPLETED");
            assertThat(results.get(next).path("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void theWorkerStaysReadyAndTheNextValidRequestCompletes() throws Exception {
        assertThat(run().validAfterwards().path("status").asText()).isEqualTo("COMPLETED");
        await().atMost(WAIT).until(() -> readiness().statusCode() == 200);
    }

    // ---- sending the corpus once, for every test of the class ---------------------------------------------------

    private static synchronized Run run() {
        if (run == null) {
            run = send(HostileCorpus.load());
            long deadLetters = run.cases().values().stream().filter(HostileCorpus.Case::deadLetter).count();
            System.out.printf("HOSTILE inputs=%d deadLetters=%d refused=%d providerSubmissions=%d%n",
                    run.cases().size(), deadLetters, run.cases().size() - deadLetters,
                    run.providerCalls().stream().filter(c -> c.operation().equals("submit")).count());
        }
        return run;
    }

    private static Run send(List<HostileCorpus.Case> corpus) {
        String bootstrap = KafkaBrokerResource.bootstrapServers();
        allowLargeRecords(bootstrap);
        ProviderSimulator simulator = ProviderSimulatorResource.simulator();
        int callsBefore = simulator.calls().size();
        Map<String, HostileCorpus.Case> cases = new LinkedHashMap<>();
        Map<String, String> resultIds = new HashMap<>();
        Map<String, String> positions = new HashMap<>();
        String validJobId = "after-hostile-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (HostileCorpus.Case hostile : corpus) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, hostile.key(),
                        hostile.value())).get();
                cases.put(hostile.name(), hostile);
                positions.put(sent.partition() + "@" + sent.offset(), hostile.name());
                resultIds.put(switch (hostile.answeredAs()) {
                    case KEY -> hostile.key();
                    case JOB_ID -> hostile.jobId();
                    case FALLBACK -> "invalid-" + WorkerTopics.REQUESTS + "-" + sent.partition() + "-" + sent.offset();
                }, hostile.name());
            }
            producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, validJobId,
                    Requests.textToVideo(validJobId).toString().getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send the corpus", e);
        }

        Outcomes outcomes;
        try (TopicReader reader = new TopicReader(bootstrap, WorkerTopics.RESULTS, WorkerTopics.DLQ,
                WorkerTopics.JOBS)) {
            await().atMost(WAIT).until(() -> Outcomes.of(reader.poll(), cases.keySet(), positions, resultIds,
                    validJobId).allEnded());
            // On to the end of every topic, so that a second answer to any case is counted too.
            outcomes = Outcomes.of(reader.readToEnd(), cases.keySet(), positions, resultIds, validJobId);
        }
        List<ProviderSimulator.Call> calls = List.copyOf(simulator.calls().subList(callsBefore,
                simulator.calls().size()));
        return new Run(cases, outcomes.results(), outcomes.deadLetters(), outcomes.valid(), calls, validJobId,
                outcomes.jobLogKeys());
    }

    /** What came out for each case (by name), the valid request's result, and the keys the job log holds. */
    private record Outcomes(Map<String, List<ConsumerRecord<String, byte[]>>> results,
            Map<String, List<ConsumerRecord<String, byte[]>>> deadLetters, JsonNode valid, Set<String> jobLogKeys) {

        /**
         * Sorts the records read: dead letters by the position of the request they came from, results by the id the
         * request is answered under.
         */
        static Outcomes of(List<ConsumerRecord<String, byte[]>> records, Set<String> names,
                Map<String, String> positions, Map<String, String> resultIds, String validJobId) {
            Map<String, List<ConsumerRecord<String, byte[]>>> results = new HashMap<>();
            Map<String, List<ConsumerRecord<String, byte[]>>> deadLetters = new HashMap<>();
            names.forEach(name -> {
                results.put(name, new ArrayList<>());
                deadLetters.put(name, new ArrayList<>());
            });
            JsonNode valid = null;
            Set<String> jobLogKeys = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.topic().equals(WorkerTopics.DLQ)) {
                    String name = positions.get(header(record, DeadLetterPublisher.ORIGINAL_PARTITION) + "@"
                            + header(record, DeadLetterPublisher.ORIGINAL_OFFSET));
                    if (name != null) {
                        deadLetters.get(name).add(record);
                    }
                } else if (record.topic().equals(WorkerTopics.JOBS)) {
                    // A refusal goes through the job log on its way to its FAILED result (REFUSED, then FAILED
                    // with the result): it never becomes a job, which would first be REQUESTED.
                    String state = header(record, JobLog.STATE_HEADER);
                    if (!"REFUSED".equals(state) && !"FAILED".equals(state)) {
                        jobLogKeys.add(record.key());
                    }
                } else if (validJobId.equals(record.key())) {
                    valid = WorkerTopics.parse(new String(record.value(), StandardCharsets.UTF_8));
                } else if (resultIds.containsKey(record.key())) {
                    results.get(resultIds.get(record.key())).add(record);
                }
            }
            return new Outcomes(results, deadLetters, valid, jobLogKeys);
        }

        boolean allEnded() {
            return valid != null && results.keySet().stream()
                    .allMatch(name -> results.get(name).size() + deadLetters.get(name).size() > 0);
        }
    }

    /** Raises the request topic's record limit far above the worker's, as an operator might. */
    private static void allowLargeRecords(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, WorkerTopics.REQUESTS);
            AlterConfigOp raise = new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(TOPIC_MAX_BYTES)), AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(raise))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("could not raise the request topic's record limit", e);
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TOPIC_MAX_BYTES);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(readinessUrl.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
