package io.genworker.index;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.agroal.api.AgroalDataSource;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.joblog.JobLog;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.PostgresResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;

/**
 * The job index on a real broker and a real PostgreSQL: jobs run through the worker appear with their transitions,
 * job-log records written straight to the log (10,000 of them) are listed, filtered, counted and paged, and a
 * dropped database is rebuilt from the log into the same rows.
 */
@QuarkusTest
@TestProfile(IndexProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class JobIndexTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VOLUME = 10_000;
    private static final String[] MODELS = { "model-a", "model-b", "model-c", "model-d" };
    private static WorkerTopics topics;

    @Inject
    JobLog jobLog;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    JobIndexer indexer;
    @Inject
    JobStats stats;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    private static String newJobId(String what) {
        return "index-" + what + "-" + UUID.randomUUID();
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void jobsRunThroughTheWorkerAppearWithTheirTransitionsAndInput() {
        String done = newJobId("done");
        String refused = newJobId("refused");
        topics.send(done, Requests.textToVideo(done).toString());
        ObjectNode unknown = Requests.textToVideo(refused).put("model", "no/such-model");
        topics.send(refused, unknown.toString());
        topics.awaitResults(List.of(done, refused), WAIT);

        JsonPath job = awaitJob(done, "COMPLETED");
        assertThat(job.getString("provider")).isEqualTo("aimlapi");
        assertThat(job.getString("model")).isEqualTo("pixverse/v5/text-to-video");
        assertThat(job.getString("video.url")).startsWith("http");
        assertThat(job.getInt("polls")).isPositive();
        assertThat(job.getString("input.prompt")).isEqualTo(Requests.prompt(done));
        assertThat(job.getString("metadata.tenant")).isEqualTo("test");
        assertThat(job.getList("transitions.state", String.class))
                .containsSubsequence("REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED");
        assertThat(job.getString("finishedAt")).isNotNull();

        JsonPath failed = awaitJob(refused, "FAILED");
        assertThat(failed.getString("error.code")).isEqualTo("UNSUPPORTED_MODEL");
        assertThat(failed.getList("transitions.state", String.class)).containsSubsequence("REFUSED", "FAILED");
    }

    @Test
    @TestSecurity(user = "watcher", roles = "viewer")
    void viewersSeeEverythingButTheInput() {
        String id = newJobId("viewer");
        ObjectNode input = JSON.createObjectNode().put("prompt", "secret plans");
        JobRecord requested = JobRecord.requested(id, "aimlapi", "model-a", input, null, Instant.now(), null);
        // A terminal record carrying its input (the tracker's drop it): the viewer must not see it all the same.
        send(List.of(requested.completed(new Video("https://v/" + id, "video/mp4", null, null), 1.0, 2,
                Instant.now())));

        JsonPath job = awaitJob(id, "COMPLETED");

        assertThat(job.getString("video.url")).isEqualTo("https://v/" + id);
        assertThat(job.getMap("")).doesNotContainKey("input");
    }

    @Test
    @TestSecurity(user = "watcher", roles = "viewer")
    void theConsoleFiguresAreInjectedAndReadTheWorkersIndex() throws SQLException {
        String id = newJobId("stats");
        topics.send(id, Requests.textToVideo(id).toString());
        topics.awaitResults(List.of(id), WAIT);
        awaitJob(id, "COMPLETED");

        assertThat(stats.enabled()).isTrue();
        assertThat(stats.counts()).anySatisfy(count -> assertThat(count)
                .extracting(JobStats.Count::state, JobStats.Count::provider).containsExactly("COMPLETED", "aimlapi"));
        assertThat(stats.finishedPerMinute(Instant.now(), 5)).hasSize(5)
                .anySatisfy(minute -> assertThat(minute.completed()).isPositive());
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void tenThousandJobsAreFilteredCountedAndPaged() {
        String run = UUID.randomUUID().toString();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(1));
        List<JobRecord> records = new ArrayList<>();
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < VOLUME; i++) {
            String id = "bulk-" + run + "-" + i;
            ObjectNode metadata = JSON.createObjectNode().put("run", run).put("tenant", "t" + (i % 10));
            Instant received = start.plusSeconds(i);
            JobRecord job = JobRecord.requested(id, i % 2 == 0 ? "aimlapi" : "segmind", MODELS[i % 4], null, metadata,
                    received, null).submitted("p-" + i, null, received.plusSeconds(1));
            JobRecord end = i % 3 == 0
                    ? job.failed(JobError.of(i % 6 == 0 ? ErrorCode.TIMEOUT : ErrorCode.GENERATION_FAILED, "no"), 3,
                            received.plusSeconds(5))
                    : job.completed(new Video("https://v/" + id, "video/mp4", null, null), 1.0, 3,
                            received.plusSeconds(5));
            records.add(end.withoutInput());
            expected.merge(end.state().name(), 1, Integer::sum);
        }
        send(records);
        awaitCount("{\"run\":\"" + run + "\"}", VOLUME);

        JsonPath all = list(Map.of("meta.run", run, "limit", "500"));
        assertThat(all.getMap("counts")).containsEntry("COMPLETED", expected.get("COMPLETED"))
                .containsEntry("FAILED", expected.get("FAILED"));

        // Every page in order, no job twice, all of them once.
        Set<String> seen = new HashSet<>();
        String previous = null;
        JsonPath page = all;
        int pages = 0;
        while (true) {
            pages++;
            List<String> ids = page.getList("jobs.jobId", String.class);
            List<String> received = page.getList("jobs.receivedAt", String.class);
            for (int i = 0; i < ids.size(); i++) {
                assertThat(seen.add(ids.get(i))).as("seen once: %s", ids.get(i)).isTrue();
                if (previous != null) {
                    assertThat(Instant.parse(received.get(i))).isBefore(Instant.parse(previous));
                }
                previous = received.get(i);
            }
            String next = page.getString("nextCursor");
            if (next == null) {
                break;
            }
            page = list(Map.of("meta.run", run, "limit", "500", "cursor", next));
            assertThat(page.getMap("")).as("counts on the first page only").doesNotContainKey("counts");
        }
        assertThat(seen).hasSize(VOLUME);
        assertThat(pages).isEqualTo(VOLUME / 500);

        // Filters, alone and together, against what was written.
        assertThat(total(list(Map.of("meta.run", run, "state", "FAILED", "errorCode", "TIMEOUT"))))
                .isEqualTo(count(VOLUME, i -> i % 6 == 0));
        assertThat(total(list(Map.of("meta.run", run, "provider", "segmind", "model", "model-b"))))
                .isEqualTo(count(VOLUME, i -> i % 4 == 1));
        assertThat(total(list(Map.of("meta.run", run, "meta.tenant", "t3"))))
                .isEqualTo(count(VOLUME, i -> i % 10 == 3));
        assertThat(total(list(Map.of("meta.run", run, "receivedAfter", start.plusSeconds(99).toString(),
                "receivedBefore", start.plusSeconds(200).toString())))).isEqualTo(100);
        JsonPath failedFirstPage = list(Map.of("meta.run", run, "state", "FAILED", "limit", "7"));
        assertThat(failedFirstPage.getList("jobs.state", String.class)).hasSize(7).containsOnly("FAILED");
        assertThat(failedFirstPage.getString("jobs[0].jobId")).isEqualTo("bulk-" + run + "-9999");
        assertThat(total(list(Map.of("meta.run", run, "meta.tenant", "' OR '1'='1")))).isZero();
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void aDroppedIndexIsRebuiltFromTheJobLogIntoTheSameRows() throws Exception {
        String id = newJobId("rebuild");
        send(List.of(JobRecord.requested(id, "segmind", "model-c", null, null, Instant.now(), null)
                .failed(JobError.of(ErrorCode.TIMEOUT, "late"), 0, Instant.now())));
        awaitJob(id, "FAILED");
        Awaitility.await("index caught up").atMost(WAIT).until(() -> indexer.lag() == 0);
        List<String> jobs = snapshot("SELECT row_to_json(j)::text FROM index_jobs j ORDER BY job_id");
        List<String> transitions = snapshot("SELECT row_to_json(t)::text FROM index_transitions t "
                + "ORDER BY job_id, log_partition, log_offset");

        indexer.stop();
        execute("DROP TABLE index_jobs, index_transitions, index_offsets, flyway_schema_history");
        indexer.start();

        Awaitility.await("index rebuilt").atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> snapshot("SELECT count(*)::text FROM index_transitions").get(0)
                        .equals(Integer.toString(transitions.size())) && indexer.lag() == 0);
        assertThat(snapshot("SELECT row_to_json(j)::text FROM index_jobs j ORDER BY job_id")).isEqualTo(jobs);
        assertThat(snapshot("SELECT row_to_json(t)::text FROM index_transitions t "
                + "ORDER BY job_id, log_partition, log_offset")).isEqualTo(transitions);
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void jobsGoOnWhileTheDatabaseIsDownAndTheIndexCatchesUpAfter() {
        String id = newJobId("outage");
        PostgresResource.stopServer();
        try {
            topics.send(id, Requests.textToVideo(id).toString());

            assertThat(topics.awaitResult(id, WAIT).path("status").asText()).isEqualTo("COMPLETED");
            Awaitility.await("index not ready").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready")
                    .then().statusCode(503)
                    .body("checks.find { it.name == 'index' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'index' }.data.database", equalTo("unreachable"))
                    .body("checks.find { it.name == 'job-tracker' }.status", equalTo("UP")));
            given().get("/v1/jobs/{id}", id).then().statusCode(503).contentType("application/problem+json");
        } finally {
            PostgresResource.restart();
        }

        JsonPath job = awaitJob(id, "COMPLETED");
        assertThat(job.getList("transitions.state", String.class))
                .containsSubsequence("REQUESTED", "SUBMITTING", "SUBMITTED", "COMPLETED");
    }

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void unknownJobsAndBadParametersAreProblems() {
        given().get("/v1/jobs/{id}", "no-such-job").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404)).body("type", equalTo("urn:genworker:problem:job-not-found"));
        given().get("/v1/jobs/{id}", "x' OR '1'='1").then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/v1/jobs/{id}", "j".repeat(129)).then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("id"));
        Map<String, String> hostile = Map.of(
                "state", "DONE",
                "limit", "1e9",
                "receivedAfter", "2026-13-45T99:00:00Z",
                "cursor", "Jyk7IERST1AgVEFCTEUgaW5kZXhfam9iczsgLS0",
                "provider", "p".repeat(300),
                "meta.", "x",
                "errorCode", "a\u0001b",
                "sort", "job_id; DROP TABLE index_jobs");
        // Past the HTTP server's line limit a request is refused before it reaches the API, never with a 500.
        given().queryParam("provider", "p".repeat(10_000)).get("/v1/jobs").then().statusCode(414);
        hostile.forEach((name, value) -> given().queryParam(name, value).get("/v1/jobs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("type", equalTo("urn:genworker:problem:invalid-parameters"))
                .body("errors[0].field", equalTo(name.equals("meta.") ? "meta." : name)));
    }

    @Test
    void anonymousCallersAreRefused() {
        int status = given().get("/v1/jobs").then().extract().statusCode();
        int one = given().get("/v1/jobs/{id}", "any").then().extract().statusCode();

        assertThat(List.of(status, one)).allSatisfy(s -> assertThat(s).isIn(401, 403));
    }

    @Test
    void readinessSaysHowFarBehindTheIndexIs() {
        Awaitility.await("index ready").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'index' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'index' }.data.database", equalTo("reachable"))
                .body("checks.find { it.name == 'index' }.data.lag", equalTo(0)));
    }

    private void send(List<JobRecord> records) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            records.forEach(record -> producer.send(jobLog.record(record)));
            producer.flush();
        }
    }

    private static JsonPath awaitJob(String id, String state) {
        return Awaitility.await("job " + id + " indexed as " + state).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    var response = given().get("/v1/jobs/{id}", id);
                    return response.statusCode() == 200 ? response.jsonPath() : null;
                }, job -> job != null && state.equals(job.getString("state")));
    }

    private static JsonPath list(Map<String, String> params) {
        return given().queryParams(params).get("/v1/jobs").then().statusCode(200).extract().jsonPath();
    }

    private static int total(JsonPath firstPage) {
        return firstPage.getMap("counts", String.class, Integer.class).values().stream().mapToInt(i -> i).sum();
    }

    private static int count(int n, java.util.function.IntPredicate which) {
        return (int) java.util.stream.IntStream.range(0, n).filter(which).count();
    }

    private void awaitCount(String metadata, int expected) {
        Awaitility.await("indexed " + expected).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> Integer.parseInt(snapshot("SELECT count(*)::text FROM index_jobs WHERE metadata @> '"
                        + metadata + "'::jsonb AND finished_at IS NOT NULL").get(0)) == expected);
    }

    private List<String> snapshot(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
