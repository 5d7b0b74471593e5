package io.genworker.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The worker runs with recognisable fake keys and full provider-call logging through every path a key could leak
 * by: submissions and polls on both providers, refused keys (the pause reason shows in readiness), server errors,
 * resets, timeouts, refused and undecodable requests. Then everything it wrote is scanned for the keys: its log
 * file, every record (key, value, headers) of the results, job-log and dead-letter topics, metrics and health.
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class SecretScanTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Both keys, and the part they share, in case only a piece of one leaks. */
    private static final List<String> SECRETS = List.of(ProviderSimulator.AIMLAPI_KEY, ProviderSimulator.SEGMIND_KEY,
            "FAKE-SECRET");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL root;

    @Test
    void noKeyAppearsInLogsRecordsMetricsOrHealth() throws Exception {
        List<String> healthSeen = new ArrayList<>();
        int faultsBefore = simulator().faultsInjected();
        try (WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers())) {
            Map<String, ObjectNode> jobs = traffic();
            refuseBothKeysUntilReadinessShowsIt(topics, jobs, healthSeen);
            topics.resultRecords(jobs.keySet(), jobs.size(), WAIT);
        }
        healthSeen.add(get("/q/health"));
        String metrics = get("/q/metrics");

        String log = Files.readString(Path.of(HostileProfile.LOG_FILE), StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        log.lines().forEach(line -> scan("log file", line, found));
        scan("/q/metrics", metrics, found);
        healthSeen.forEach(health -> scan("/q/health", health, found));
        int records = scanTopics(found);
        System.out.printf("HOSTILE secrets found=%d (scanned %d log lines, %d records, metrics, health)"
                + " after %d faults%n", found.size(), log.lines().count(), records,
                simulator().faultsInjected() - faultsBefore);

        // The scan means something: the keys went out on every call, and every call was logged in full.
        assertThat(simulatorSaw()).contains("Bearer " + ProviderSimulator.AIMLAPI_KEY, ProviderSimulator.SEGMIND_KEY);
        assertThat(log).contains("Request: POST", "Authorization=<hidden>", "x-api-key=<hidden>");
        assertThat(String.join("\n", healthSeen)).contains("paused since");
        assertThat(found).isEmpty();
    }

    /** Jobs on both providers through faults that put provider answers and client errors into logs and results. */
    private Map<String, ObjectNode> traffic() {
        Map<String, ObjectNode> jobs = new LinkedHashMap<>();
        String aiml = jobId("secret-aiml");
        String segmind = jobId("secret-segmind");
        String failing = jobId("secret-failing");
        String uncertain = jobId("secret-uncertain");
        String refused = jobId("secret-refused");
        jobs.put(aiml, Requests.textToVideo(aiml));
        jobs.put(segmind, Requests.segmindTransition(segmind));
        jobs.put(failing, Requests.segmindTransitionV4(failing));
        ((ObjectNode) jobs.get(failing).get("input")).put("prompt", Requests.prompt(failing) + " [sim:error]");
        jobs.put(uncertain, Requests.imageToVideo(uncertain));
        jobs.put(refused, Requests.textToVideo(refused).put("model", "sora/v9"));
        simulator().failPollsOf(aiml, Fault.status(500), Fault.connectionReset(), Fault.malformedJson(),
                Fault.slow(Duration.ofMillis(HostileProfile.CLIENT_TIMEOUT_MILLIS + 500)), Fault.status(401));
        simulator().failPollsOf(segmind, Fault.status(503), Fault.rateLimited("1"), Fault.status(403),
                Fault.truncatedJson());
        simulator().failSubmitsOf(uncertain, Fault.acceptedThenLate(Duration.ofMillis(
                HostileProfile.CLIENT_TIMEOUT_MILLIS + 500)));
        return jobs;
    }

    /** Sends the jobs while both providers refuse the key, and keeps what readiness says about it. */
    private void refuseBothKeysUntilReadinessShowsIt(WorkerTopics topics, Map<String, ObjectNode> jobs,
            List<String> healthSeen) {
        simulator().acceptKey("rotated-aiml-key").acceptSegmindKey("rotated-segmind-key");
        try {
            Map<String, String> values = new LinkedHashMap<>();
            jobs.forEach((id, request) -> values.put(id, request.toString()));
            topics.sendAll(values);
            topics.sendBytes(jobId("secret-undecodable"), "{\"model\": ".getBytes(StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> {
                String readiness = get("/q/health/ready");
                healthSeen.add(readiness);
                return readiness.contains("\"aimlapi\"") && readiness.contains("\"segmind\"");
            });
        } finally {
            simulator().acceptKey(ProviderSimulator.AIMLAPI_KEY).acceptSegmindKey(ProviderSimulator.SEGMIND_KEY);
        }
    }

    private static int scanTopics(List<String> found) {
        try (TopicReader reader = new TopicReader(KafkaBrokerResource.bootstrapServers(), WorkerTopics.RESULTS,
                WorkerTopics.JOBS, WorkerTopics.DLQ)) {
            List<ConsumerRecord<String, byte[]>> records = reader.readToEnd();
            for (ConsumerRecord<String, byte[]> record : records) {
                String where = record.topic() + "@" + record.partition() + ":" + record.offset();
                scan(where + " key", record.key(), found);
                scan(where + " value", record.value() == null ? null
                        : new String(record.value(), StandardCharsets.UTF_8), found);
                for (Header header : record.headers()) {
                    scan(where + " header " + header.key(), header.key() + "="
                            + new String(header.value() == null ? new byte[0] : header.value(),
                                    StandardCharsets.UTF_8), found);
                }
            }
            return records.size();
        }
    }

    private static void scan(String where, String text, List<String> found) {
        if (text == null) {
            return;
        }
        for (String secret : SECRETS) {
            int at = text.indexOf(secret);
            if (at >= 0) {
                found.add(where + ": ..." + text.substring(Math.max(0, at - 80), Math.min(text.length(), at + 40)));
                return;
            }
        }
    }

    private static String simulatorSaw() {
        return String.join("\n", simulator().authorizationsSeen()) + "\n"
                + String.join("\n", simulator().segmindKeysSeen());
    }

    private String get(String path) throws Exception {
        URI uri = root.toURI().resolve(path);
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    private static String jobId(String what) {
        return what + "-" + UUID.randomUUID();
    }
}
