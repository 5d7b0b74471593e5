package io.genworker.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.kafka.common.TopicPartition;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.WorkerTopics;

/** What operators see of a held job-log partition: readiness and the scrape. */
final class HeldPartitionProbe {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HeldPartitionProbe() {
    }

    /** Waits until readiness is DOWN and its job-tracker check names the partition with this description. */
    static void awaitHeld(URL readiness, TopicPartition partition, String description, Duration wait) {
        await().atMost(wait).untilAsserted(() -> {
            HttpResponse<String> ready = get(readiness);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(trackerCheck(ready.body()).path("data").path(partition.toString()).asText())
                    .isEqualTo(description);
        });
    }

    /** The scrape's held-partitions gauge for one reason. */
    static double heldGauge(URL metrics, String reason) throws Exception {
        for (String line : get(metrics).body().split("\n")) {
            if (line.startsWith("genworker_joblog_partitions_held{") && line.contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no genworker_joblog_partitions_held series for reason " + reason);
    }

    private static JsonNode trackerCheck(String health) {
        for (JsonNode check : WorkerTopics.parse(health).path("checks")) {
            if (check.path("name").asText().equals("job-tracker")) {
                return check;
            }
        }
        throw new AssertionError("no job-tracker check in " + health);
    }

    private static HttpResponse<String> get(URL url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
