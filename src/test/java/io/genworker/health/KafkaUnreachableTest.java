package io.genworker.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With no broker to talk to the worker is not ready, but alive: a restart would not bring the broker back. */
@QuarkusTest
@TestProfile(KafkaUnreachableTest.NoBroker.class)
class KafkaUnreachableTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Points the worker at a port nothing listens on, and starts none of the other tests' resources. */
    public static class NoBroker implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + closedPort(),
                    "worker.topics.create", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of();
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @TestHTTPResource("/q/health/live")
    URL liveness;

    @Test
    void readinessIsDownAndLivenessUp() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get(readiness);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body().replaceAll("\\s", ""))
                    .contains("\"name\":\"kafka\",\"status\":\"DOWN\"");
        });

        assertThat(get(liveness).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> get(URL url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url.toURI()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
