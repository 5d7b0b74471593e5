package io.genworker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.metrics.WorkerMetrics.MeterSpec;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Runs jobs through the worker, then reads /q/metrics as Prometheus does: every catalogue meter is there. */
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
                "(?m)^kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"generation-worker-tracker\""));
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metricsUrl.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
