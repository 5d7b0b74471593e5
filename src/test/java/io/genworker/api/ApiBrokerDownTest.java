package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.genworker.support.Requests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A broker that never acknowledges: submits and cancels answer 503 problems within the write timeout, naming the job
 * so that the caller can send it again under the same id.
 */
@QuarkusTest
@TestProfile(ApiBrokerDownTest.NoBroker.class)
class ApiBrokerDownTest {

    /** A port nothing listens on, a short write timeout, none of the other tests' resources. */
    public static class NoBroker implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + closedPort(),
                    "worker.topics.create", "false",
                    "worker.api.write-timeout", "1s",
                    "worker.api.credentials-file", "target/api-credentials-broker-down.properties");
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

    @Test
    void writesTheBrokerDoesNotAcknowledgeAnswer503() {
        ApiUsers.Basic operator = ApiUsers.Basic.of(NoBroker.class, ApiRoles.OPERATOR);
        long start = System.nanoTime();
        Response submit = operator.spec().contentType("application/json")
                .body(Requests.textToVideo("down-1").toString()).post("/v1/jobs");
        Response cancel = operator.spec().post("/v1/jobs/down-2/cancel");
        long millis = (System.nanoTime() - start) / 1_000_000;

        for (Response response : List.of(submit, cancel)) {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.contentType()).startsWith(ApiProblem.MEDIA_TYPE);
            assertThat(response.jsonPath().getString("type"))
                    .isEqualTo("urn:genworker:problem:broker-unavailable");
        }
        assertThat(submit.jsonPath().getString("detail")).contains("down-1", "same jobId");
        assertThat(millis).as("both answered within their write timeouts").isLessThan(8_000);
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
