package io.genworker.index;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;

/**
 * Retry and bulk actions through the HTTP API, on the job index, a real broker and the provider simulator: a retry
 * is a new job linked both ways, a bulk action's dry run counts exactly what it then applies.
 */
@QuarkusTest
@TestProfile(IndexProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class JobActionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WorkerTopics topics;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    @AfterEach
    void quickGenerations() {
        simulator().generationTime(Duration.ofSeconds(1));
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void aFailedJobRetriedIsANewJobWithTheSameInputLinkedBothWays() {
        String id = "retry-" + UUID.randomUUID();
        simulator().failSubmitsOf(id, Fault.body(400, "{\"message\":\"prompt rejected\"}"));
        topics.send(id, Requests.textToVideo(id).toString());
        assertThat(topics.awaitResult(id, WAIT).path("status").asText()).isEqualTo("FAILED");
        awaitJob(id, "FAILED");

        JsonPath accepted = given().post("/v1/jobs/{id}/retry", id).then().statusCode(202).extract().jsonPath();
        String retryId = accepted.getString("jobId");
        JsonNode retried = topics.awaitResult(retryId, WAIT);

        assertThat(retryId).isEqualTo(id + ".retry-1");
        assertThat(retried.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(retried.path("retryOf").asText()).isEqualTo(id);
        assertThat(retried.path("metadata").path("tenant").asText()).isEqualTo("test");
        assertThat(simulator().submittedBodies()).filteredOn(b -> b.toString().contains(Requests.prompt(id)))
                .as("the retry sent the same prompt").isNotEmpty();
        Awaitility.await().atMost(WAIT).until(() -> id(id).getString("retriedAs"), retryId::equals);
        assertThat(awaitJob(retryId, "COMPLETED").getString("retryOf")).isEqualTo(id);
        given().post("/v1/jobs/{id}/retry", id).then().statusCode(409);
        given().post("/v1/jobs/{id}/retry", retryId).then().statusCode(409);
        given().post("/v1/jobs/{id}/retry", "no-such-job-" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void aBulkCancelsDryRunCountsExactlyWhatItThenCancelsAndABulkRetryRetriesThem() {
        simulator().generationTime(Duration.ofMinutes(5));
        String batch = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "bulk-" + i + "-" + batch;
            ObjectNode request = Requests.textToVideo(id);
            ((ObjectNode) request.get("metadata")).put("batch", batch);
            topics.send(id, request.toString());
            ids.add(id);
        }
        ids.forEach(id -> awaitJob(id, "SUBMITTED"));

        JsonPath dryRun = bulk("cancel", batch, true);
        JsonPath applied = bulk("cancel", batch, false);

        assertThat(dryRun.getInt("eligible")).isEqualTo(6);
        assertThat(dryRun.getInt("applied")).isZero();
        assertThat(applied.getInt("applied")).isEqualTo(dryRun.getInt("eligible"));
        assertThat(topics.awaitResults(ids, WAIT).values()).allSatisfy(result -> {
            assertThat(result.path("status").asText()).isEqualTo("CANCELLED");
            assertThat(result.path("cancellation").path("requestedBy").asText()).isEqualTo("ops");
        });

        simulator().generationTime(Duration.ofSeconds(1));
        ids.forEach(id -> awaitJob(id, "CANCELLED"));
        JsonPath retryDryRun = bulk("retry", batch, true);
        JsonPath retried = bulk("retry", batch, false);
        assertThat(retryDryRun.getInt("eligible")).isEqualTo(6);
        assertThat(retried.getInt("applied")).isEqualTo(6);
        List<String> retryIds = ids.stream().map(id -> id + ".retry-1").toList();
        assertThat(topics.awaitResults(retryIds, WAIT).values())
                .allSatisfy(result -> assertThat(result.path("status").asText()).isEqualTo("COMPLETED"));
        assertThat(bulk("retry", batch, true).getInt("eligible")).as("retried already").isZero();
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void aBulkActionNeedsAFilterTakesNoPagingAndNamesABadParameter() {
        given().post("/v1/bulk/cancel?limit=5").then().statusCode(400);
        given().post("/v1/bulk/cancel?dryRun=maybe").then().statusCode(400);
        given().post("/v1/bulk/retry?state=NOT_A_STATE&dryRun=true").then().statusCode(400);
        // No filter: never every job.
        given().post("/v1/bulk/cancel?dryRun=true").then().statusCode(400);
        // A job may be called "bulk": cancelling it is a single cancel.
        given().post("/v1/jobs/bulk/cancel").then().statusCode(202);
    }

    @Test
    @TestSecurity(user = "watcher", roles = "viewer")
    void aViewerMayNeitherRetryNorActInBulk() {
        given().post("/v1/jobs/{id}/retry", "any").then().statusCode(403);
        given().post("/v1/bulk/cancel?dryRun=true").then().statusCode(403);
        given().post("/v1/bulk/retry?dryRun=true").then().statusCode(403);
    }

    private static JsonPath bulk(String action, String batch, boolean dryRun) {
        return given().queryParams(Map.of("meta.batch", batch, "dryRun", Boolean.toString(dryRun)))
                .post("/v1/bulk/" + action).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath id(String id) {
        return given().get("/v1/jobs/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitJob(String id, String state) {
        return Awaitility.await("job " + id + " indexed as " + state).atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    var response = given().get("/v1/jobs/{id}", id);
                    return response.statusCode() == 200 ? response.jsonPath() : null;
                }, job -> job != null && state.equals(job.getString("state")));
    }
}
