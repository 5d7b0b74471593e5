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
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheus.PrometheusNamingConvention;
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
    private static final PrometheusNamingConvention NAMING = new PrometheusNamingConvention();
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
            String base = NAMING.name(spec.name(), type(spec), spec.unit());
            String family = spec.kind() == WorkerMetrics.Kind.COUNTER ? base.replaceFirst("_total$", "") : base;
            assertThat(scrape).as("HELP of %s", spec.name())
                    .contains("# HELP " + family + " " + spec.description());
            for (String series : series(spec, base)) {
                assertThat(scrape).as("series %s of %s", series, spec.name())
                        .containsPattern("(?m)^" + series + "[{ ]");
            }
        }
    }

    @Test
    void everyGenworkerSeriesBelongsToTheCatalogue() throws Exception {
        Set<String> declared = WorkerMetrics.CATALOGUE.stream()
                .flatMap(spec -> series(spec, NAMING.name(spec.name(), type(spec), spec.unit())).stream())
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

    /** The series Prometheus sees for a meter: counters end in _total, timers and summaries are histograms. */
    private static List<String> series(MeterSpec spec, String base) {
        return switch (spec.kind()) {
            case COUNTER, GAUGE -> List.of(base);
            case TIMER, SUMMARY -> List.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
        };
    }

    private static Meter.Type type(MeterSpec spec) {
        return switch (spec.kind()) {
            case COUNTER -> Meter.Type.COUNTER;
            case GAUGE -> Meter.Type.GAUGE;
            case TIMER -> Meter.Type.TIMER;
            case SUMMARY -> Meter.Type.DISTRIBUTION_SUMMARY;
        };
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metricsUrl.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
