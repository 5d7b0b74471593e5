package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The API's writes on the real broker: a request submitted over HTTP completes on the result topic, a cancel lands
 * on the control topic under the job's key, and a refused or hostile call gets a 4xx problem, never a 500.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
@QuarkusTestResource(ApiTokens.class)
class JobCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONTROL = WorkerTopics.CONTROL;
    private static WorkerTopics topics;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    private static Response submit(String body) {
        return ApiUsers.operator().contentType("application/json").body(body).post("/v1/jobs");
    }

    @Test
    void aRequestSubmittedOverHttpEndsInOneResultOnKafka() {
        String id = "http-" + UUID.randomUUID();
        Response response = submit(Requests.textToVideo(id).toString());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.jsonPath().getString("jobId")).isEqualTo(id);
        assertThat(response.jsonPath().getString("status")).endsWith("/v1/jobs/" + id);
        assertThat(response.header("Location")).isEqualTo(response.jsonPath().getString("status"));
        ConsumerRecord<String, String> request = topics.records(WorkerTopics.REQUESTS, List.of(id), 1, WAIT).get(0);
        assertThat(WorkerTopics.parse(request.value())).isEqualTo(Requests.textToVideo(id));
        JsonNode result = topics.awaitResult(id, WAIT);
        assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.path("metadata").path("tenant").asText()).isEqualTo("test");
    }

    @Test
    void aRequestWithoutJobIdGetsOneAndTheCallersTraceGoesOn() {
        ObjectNode request = Requests.textToVideo("unused");
        request.remove("jobId");
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Response response = ApiUsers.bearer(ApiTokens.token("otto", ApiRoles.OPERATOR))
                .contentType("application/json; charset=utf-8").header("traceparent", traceparent)
                .body(request.toString()).post("/v1/jobs");

        assertThat(response.statusCode()).isEqualTo(202);
        String id = response.jsonPath().getString("jobId");
        assertThat(UUID.fromString(id)).isNotNull();
        ConsumerRecord<String, String> record = topics.records(WorkerTopics.REQUESTS, List.of(id), 1, WAIT).get(0);
        assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo(traceparent);
        assertThat(topics.awaitResult(id, WAIT).path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aRefusedRequestListsEveryBrokenRuleAndIsNotWritten() {
        String id = "refused-" + UUID.randomUUID();
        ObjectNode request = Requests.textToVideo(id).put("surprise", true);
        ((ObjectNode) request.get("input")).put("resolution", "1080p").put("duration", 8);
        Response response = submit(request.toString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.contentType()).startsWith(ApiProblem.MEDIA_TYPE);
        assertThat(response.jsonPath().getString("type")).isEqualTo("urn:genworker:problem:invalid-request");
        assertThat(response.jsonPath().getString("instance")).isEqualTo("/v1/jobs");
        assertThat(response.jsonPath().getList("errors.field")).contains("surprise", "input.duration");
        assertThat(response.jsonPath().getList("errors.rule")).contains("unknown-field");

        Response unsupported = submit(Requests.textToVideo(id).put("model", "sora/v9").toString());
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(unsupported.jsonPath().getList("errors.field")).containsExactly("model");
        assertThat(topics.committedResults(List.of(id), Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aCancelLandsOnTheControlTopicUnderTheJobsKey() {
        String id = "cancel-" + UUID.randomUUID();
        Response response = ApiUsers.operator().contentType("application/json")
                .body("{\"reason\": \"wrong prompt – café ✓\"}").post("/v1/jobs/" + id + "/cancel");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.jsonPath().getString("status")).endsWith("/v1/jobs/" + id);
        ConsumerRecord<String, String> record = topics.records(CONTROL, List.of(id), 1, WAIT).get(0);
        JsonNode command = WorkerTopics.parse(record.value());
        assertThat(command.path("type").asText()).isEqualTo("cancel");
        assertThat(command.path("jobId").asText()).isEqualTo(id);
        assertThat(command.path("reason").asText()).isEqualTo("wrong prompt – café ✓");
        assertThat(command.path("requestedBy").asText()).isEqualTo(ApiRoles.OPERATOR);
        assertThat(command.size()).isEqualTo(4);
        // The worker carries it out: once intake has read it (a request sent after it has a result), the job's
        // request, submitted late, ends cancelled and never submitted, saying who asked.
        String marker = "cancel-marker-" + UUID.randomUUID();
        assertThat(submit(Requests.textToVideo(marker).toString()).statusCode()).isEqualTo(202);
        topics.awaitResult(marker, WAIT);
        assertThat(submit(Requests.textToVideo(id).toString()).statusCode()).isEqualTo(202);
        JsonNode result = topics.awaitResult(id, WAIT);
        assertThat(result.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(result.path("cancellation").path("outcome").asText()).isEqualTo("NOT_SUBMITTED");
        assertThat(result.path("cancellation").path("requestedBy").asText()).isEqualTo(ApiRoles.OPERATOR);

        String slashed = "tenant/7/" + UUID.randomUUID();
        Response encoded = ApiUsers.bearer(ApiTokens.token("otto", ApiRoles.OPERATOR)).urlEncodingEnabled(false)
                .post("/v1/jobs/" + slashed.replace("/", "%2F") + "/cancel");
        assertThat(encoded.statusCode()).isEqualTo(202);
        assertThat(encoded.jsonPath().getString("jobId")).isEqualTo(slashed);
        JsonNode bare = WorkerTopics.parse(topics.records(CONTROL, List.of(slashed), 1, WAIT).get(0).value());
        assertThat(bare.has("reason")).isFalse();
        assertThat(bare.path("requestedBy").asText()).isEqualTo("otto");
    }

    @Test
    void hostileCallsGetAProblemNeverAServerError() {
        String big = "{\"model\": \"" + "x".repeat(1_100_000) + "\"}";
        List<Object[]> cases = List.of(
                new Object[] { "not JSON", "application/json", "{not json", 400 },
                new Object[] { "a JSON array", "application/json", "[1, 2]", 400 },
                new Object[] { "empty body", "application/json", "", 400 },
                new Object[] { "duplicate keys", "application/json", "{\"model\": \"a\", \"model\": \"b\"}", 400 },
                new Object[] { "trailing garbage", "application/json",
                        Requests.textToVideo("trailing-" + UUID.randomUUID()) + " {}", 400 },
                new Object[] { "deep nesting", "application/json", "[".repeat(5000) + "]".repeat(5000), 400 },
                new Object[] { "over the size limit", "application/json", big, 413 },
                new Object[] { "over the HTTP limit", "application/json", big.repeat(2), 413 },
                new Object[] { "text/plain", "text/plain", Requests.textToVideo("plain").toString(), 415 },
                new Object[] { "form", "application/x-www-form-urlencoded", "a=b", 415 },
                new Object[] { "job id with a newline", "application/json",
                        Requests.textToVideo("evil\nid").toString(), 400 },
                new Object[] { "job id with emoji", "application/json",
                        Requests.textToVideo("job-😀").toString(), 400 },
                new Object[] { "job id of right-to-left override", "application/json",
                        Requests.textToVideo("job\u202Egpj.exe").toString(), 400 });
        for (Object[] c : cases) {
            Response response = ApiUsers.operator().contentType((String) c[1]).body((String) c[2]).post("/v1/jobs");
            assertThat(response.statusCode()).as((String) c[0]).isEqualTo(c[3]);
            assertThat(response.contentType()).as((String) c[0]).startsWith(ApiProblem.MEDIA_TYPE);
            assertThat(response.jsonPath().getInt("status")).as((String) c[0]).isEqualTo(c[3]);
        }
        Response notUtf8 = ApiUsers.operator().contentType("application/json")
                .body(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' }).post("/v1/jobs");
        assertThat(notUtf8.statusCode()).isEqualTo(400);
    }

    @Test
    void hostileCancelsGetAProblemNeverAServerError() {
        String ok = "/v1/jobs/job-" + UUID.randomUUID() + "/cancel";
        List<Object[]> bodies = List.of(
                new Object[] { "unknown field", "{\"reason\": \"x\", \"force\": true}", 400 },
                new Object[] { "reason not a string", "{\"reason\": 7}", 400 },
                new Object[] { "reason too long", "{\"reason\": \"" + "é".repeat(501) + "\"}", 400 },
                new Object[] { "reason with control characters", "{\"reason\": \"a\\u0000b\"}", 400 },
                new Object[] { "reason with a lone surrogate", "{\"reason\": \"a\\ud800b\"}", 400 },
                new Object[] { "reason with bidi override", "{\"reason\": \"a\u202Eb\"}", 400 },
                new Object[] { "not JSON", "nope", 400 },
                new Object[] { "an array", "[]", 400 });
        for (Object[] c : bodies) {
            Response response = ApiUsers.operator().contentType("application/json").body((String) c[1]).post(ok);
            assertThat(response.statusCode()).as((String) c[0]).isEqualTo(c[2]);
            assertThat(response.contentType()).as((String) c[0]).startsWith(ApiProblem.MEDIA_TYPE);
        }
        assertThat(ApiUsers.operator().contentType("text/plain").body("stop").post(ok).statusCode()).isEqualTo(415);
        List<String> badIds = List.of("-starts-with-dash", "has%20space", "%00nul", "..%2F..%2Fetc", "x".repeat(129),
                "%F0%9F%98%80", "a%0Ab");
        for (String bad : badIds) {
            Response response = ApiUsers.operator().urlEncodingEnabled(false).post("/v1/jobs/" + bad + "/cancel");
            assertThat(response.statusCode()).as(bad).isBetween(400, 404);
            assertThat(response.contentType()).as(bad).startsWith(ApiProblem.MEDIA_TYPE);
        }
    }

    @Test
    void theFrameworksOwnErrorsAreProblemsToo() {
        Response wrongMethod = ApiUsers.operator().delete("/v1/jobs");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith(ApiProblem.MEDIA_TYPE);

        Response notAcceptable = ApiUsers.operator().contentType("application/json").accept("text/html")
                .body(Requests.textToVideo("accept-" + UUID.randomUUID()).toString()).post("/v1/jobs");
        assertThat(notAcceptable.statusCode()).isEqualTo(406);
        assertThat(notAcceptable.contentType()).startsWith(ApiProblem.MEDIA_TYPE);

        Response missing = ApiUsers.viewer().get("/v1/no-such-thing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.jsonPath().getString("type")).isEqualTo("urn:genworker:problem:not-found");
    }
}
