package io.genworker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.metrics.WorkerMetrics.MeterSpec;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Runs jobs through the worker, then reads /q/metrics as Prometheus does: every catalogue meter is there, counting. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class MetricsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Path SCRAPE = Path.of("target", "metrics", "scrape.txt");

    @TestHTTPResource("/q/metrics")
    URL metricsUrl;

    @Test
    void everyCatalogueMeterIsExposedAfterJobsRanThrough() throws Exception {
        String completed = "metrics-" + UUID.randomUUID();
        String refused = "metrics-refused-" + UUID.randomUUID();
        ObjectNode invalid = Requests.textToVideo(refused);
        ((ObjectNode) invalid.get("input")).put("resolution", "1080p").put("duration", 8);
        try (WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers())) {
            topics.send(completed, Requests.textToVideo(completed).toString());
            topics.send(refused, invalid.toString());
            topics.awaitResults(List.of(completed, refused), WAIT);
        }

        String scrape = scrape();
        // .ci/ops-checks lints this scrape with promtool and checks the dashboard's queries against it.
        Files.createDirectories(SCRAPE.getParent());
        Files.writeString(SCRAPE, scrape);

        for (MeterSpec spec : WorkerMetrics.CATALOGUE) {
            assertThat(spec.name()).startsWith(WorkerMetrics.PREFIX);
            assertThat(scrape).as("HELP of %s", spec.name())
                    .contains("# HELP " + PrometheusNames.family(spec) + " " + spec.description());
            for (String series : PrometheusNames.series(spec)) {
                assertThat(scrape).as("series %s of %s", series, spec.name())
                        .containsPattern("(?m)^" + series + "[{ ]");
            }
        }
    }

    /**
     * Every series exists at zero from start-up, so only values show that the worker counts: the counters must move
     * by what this test's jobs did (other tests share the worker, hence differences from a scrape taken first).
     */
    @Test
    void theCountersMoveByWhatTheJobsDid() throws Exception {
        String ok = "metrics-values-" + UUID.randomUUID();
        String faulted = "metrics-values-500-" + UUID.randomUUID();
        String repeated = "metrics-values-twice-" + UUID.randomUUID();
        String invalid = "metrics-values-invalid-" + UUID.randomUUID();
        String unsupported = "metrics-values-unsupported-" + UUID.randomUUID();
        String undecodable = "metrics-values-garbage-" + UUID.randomUUID();
        ObjectNode invalidRequest = Requests.textToVideo(invalid);
        ((ObjectNode) invalidRequest.get("input")).put("resolution", "1080p").put("duration", 8);
        List<String> jobs = List.of(ok, faulted, repeated);
        ProviderSimulatorResource.simulator().failPollsOf(faulted, Fault.status(500));

        Scrape before = new Scrape(scrape());
        Map<String, JsonNode> results;
        try (WorkerTopics topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers())) {
            jobs.forEach(id -> topics.send(id, Requests.textToVideo(id).toString()));
            topics.send(invalid, invalidRequest.toString());
            topics.send(unsupported, Requests.textToVideo(unsupported).put("model", "sora/v9").toString());
            topics.sendBytes(undecodable, "{not json".getBytes(StandardCharsets.UTF_8));
            results = topics.awaitResults(List.of(ok, faulted, repeated, invalid, unsupported), WAIT);
            topics.records(WorkerTopics.DLQ, List.of(undecodable), 1, WAIT);
            topics.send(repeated, Requests.textToVideo(repeated).toString());
        }
        assertThat(results.get(faulted).path("status").asText()).isEqualTo("COMPLETED");
        int polls = jobs.stream().mapToInt(id -> results.get(id).path("polls").asInt()).sum();
        double credits = jobs.stream().mapToDouble(id -> results.get(id).path("usage").path("credits").asDouble())
                .sum();
        String[] textToVideo = {"provider", "aimlapi", "model", "pixverse/v5/text-to-video"};

        await().atMost(WAIT).untilAsserted(() -> {
            Delta delta = new Delta(before, new Scrape(scrape()));
            // The repeated request is valid and written to the job log too: received counts it, submitted does not.
            assertThat(delta.of(counter(WorkerMetrics.RECEIVED_SPEC), textToVideo)).as("received").isEqualTo(4);
            assertThat(delta.of(counter(WorkerMetrics.SUBMITTED_SPEC), textToVideo)).as("submitted").isEqualTo(3);
            assertThat(delta.of(counter(WorkerMetrics.COMPLETED_SPEC), textToVideo)).as("completed").isEqualTo(3);
            assertThat(delta.of(counter(WorkerMetrics.CREDITS_SPEC), textToVideo)).as("credits").isEqualTo(credits);
            assertThat(delta.of(counter(WorkerMetrics.DUPLICATE_SPEC))).as("duplicates").isEqualTo(1);
            for (String reason : List.of("invalid_request", "unsupported_model", "undecodable")) {
                assertThat(delta.of(counter(WorkerMetrics.REJECTED_SPEC), "reason", reason)).as(reason).isEqualTo(1);
            }
            String polled = PrometheusNames.family(WorkerMetrics.POLLS_SPEC);
            assertThat(delta.of(polled + "_count", textToVideo)).as("jobs with polls").isEqualTo(3);
            assertThat(delta.of(polled + "_sum", textToVideo)).as("polls").isEqualTo(polls);
            String calls = counter(WorkerMetrics.CALLS_SPEC);
            assertThat(delta.of(calls, "provider", "aimlapi", "operation", "submit", "status", "200")).as("submits 200")
                    .isEqualTo(3);
            assertThat(delta.of(calls, "provider", "aimlapi", "operation", "poll", "status", "500")).as("polls 500")
                    .isEqualTo(1);
            // Every poll the results count is one call, answered 200 but for the injected 500.
            assertThat(delta.of(calls, "provider", "aimlapi", "operation", "poll")).as("poll calls").isEqualTo(polls);
        });
    }

    @Test
    void everyGenworkerSeriesBelongsToTheCatalogue() throws Exception {
        Set<String> declared = WorkerMetrics.CATALOGUE.stream()
                .flatMap(spec -> PrometheusNames.series(spec).stream())
                .collect(Collectors.toSet());

        Set<String> exposed = scrape().lines()
                .filter(line -> line.startsWith("genworker_"))
                .map(line -> line.split("[{ ]", 2)[0])
                .collect(Collectors.toSet());

        assertThat(declared).containsAll(exposed);
    }

    @Test
    void theTrackersOwnKafkaConsumerReportsItsLag() {
        await().atMost(WAIT).untilAsserted(() -> assertThat(scrape()).containsPattern(
                "(?m)^kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"generation-worker-tracker-[^\"]+\""));
    }

    private static String counter(MeterSpec spec) {
        return PrometheusNames.family(spec) + "_total";
    }

    /** How much each series moved between two scrapes. */
    private record Delta(Scrape before, Scrape after) {

        double of(String series, String... labels) {
            return after.sum(series, labels) - before.sum(series, labels);
        }
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metricsUrl.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
