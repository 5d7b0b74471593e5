package io.genworker.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The console over plain HTTP (the browser tests drive it in Chromium): who gets in, what every answer carries, and
 * which requests are refused before they act.
 */
@QuarkusTest
@TestProfile(ConsoleProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
class ConsolePagesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WorkerTopics topics;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
        // The profile archives: finished videos must be real bytes to copy.
        ProviderSimulatorResource.simulator().serveVideos();
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    @Test
    void aBrowserWithoutASessionIsSentToTheLoginPageAndTheLoginPageIsOpen() {
        Response page = given().redirects().follow(false).get("/console/jobs");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.header("Location")).endsWith("/console/login");
        given().get("/console/login").then().statusCode(200);
        given().redirects().follow(false).get("/console/table/stream").then().statusCode(302);
    }

    @Test
    void signingInLandsOnTheOverviewEvenAfterTheLiveStreamAskedLast() {
        Response stream = given().redirects().follow(false).get("/console/table/stream?every=2");
        assertThat(stream.statusCode()).isEqualTo(302);
        Response login = given().redirects().follow(false).cookies(stream.getCookies())
                .contentType("application/x-www-form-urlencoded").formParam("j_username", "operator")
                .formParam("j_password", io.genworker.api.ApiUsers.password("operator"))
                .post("/console/j_security_check");
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.header("Location")).endsWith("/console");
    }

    @Test
    void aWrongPasswordIsSentBackToTheLoginPageWithAnError() {
        Response login = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("j_username", "operator").formParam("j_password", "wrong").post("/console/j_security_check");
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.header("Location")).contains("/console/login?error=true");
        assertThat(login.cookie("genworker-console")).isNull();
    }

    @Test
    void everyPageCarriesAContentSecurityPolicyWithoutInlineScript() {
        ConsoleSession operator = ConsoleSession.signIn("operator");
        for (String path : new String[] { "/console", "/console/jobs", "/console/login" }) {
            Response page = operator.browser().get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            String policy = page.header("Content-Security-Policy");
            assertThat(policy).as(path).contains("script-src 'self'").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(page.body().asString()).as(path).doesNotContain("<script>");
        }
    }

    @Test
    void anActionWithoutTheCsrfTokenOrFromAnotherSiteIsRefused() {
        ConsoleSession operator = ConsoleSession.signIn("operator");
        String id = "csrf-" + UUID.randomUUID();

        operator.browser().post("/console/jobs/{id}/cancel", id).then().statusCode(403);
        operator.browser().header("X-CSRF-Token", "forged").post("/console/jobs/{id}/cancel", id).then()
                .statusCode(403);
        operator.browser().header("X-CSRF-Token", operator.csrf()).header("Sec-Fetch-Site", "cross-site")
                .post("/console/jobs/{id}/cancel", id).then().statusCode(403);
        operator.browser().header("X-CSRF-Token", operator.csrf()).header("Origin", "https://attacker.example")
                .post("/console/jobs/{id}/cancel", id).then().statusCode(403);

        String accepted = operator.page().post("/console/jobs/{id}/cancel", id).then().statusCode(200).extract()
                .body().asString();
        assertThat(accepted).contains("Cancel of " + id + " requested");
    }

    @Test
    void aViewerReadsJobsButCannotActOrSeeInputs() {
        String id = "viewer-" + UUID.randomUUID();
        topics.send(id, Requests.textToVideo(id).toString());
        topics.awaitResult(id, WAIT);
        ConsoleSession viewer = ConsoleSession.signIn("viewer");
        Awaitility.await().atMost(WAIT).until(() -> viewer.browser().get("/console/jobs/{id}", id).statusCode() == 200);

        String page = viewer.browser().get("/console/jobs/{id}", id).body().asString();
        assertThat(page).contains("shown to operators only").doesNotContain(Requests.prompt(id))
                .doesNotContain("id=\"retry\"").doesNotContain("id=\"cancel\"");
        viewer.page().post("/console/jobs/{id}/cancel", id).then().statusCode(403);
        viewer.page().post("/console/bulk/cancel?state=FAILED&dryRun=true").then().statusCode(403);

        String asOperator = ConsoleSession.signIn("operator").browser().get("/console/jobs/{id}", id).body()
                .asString();
        assertThat(asOperator).contains(Requests.prompt(id));
    }

    @Test
    void aBrokenCursorOrFilterIsNamedOnThePageNotIgnored() {
        ConsoleSession viewer = ConsoleSession.signIn("viewer");
        assertThat(viewer.browser().get("/console/jobs?cursor=not-a-cursor").then().statusCode(200).extract().body()
                .asString()).contains("cursor: ");
        assertThat(viewer.browser().get("/console/jobs?state=NOPE").body().asString()).contains("state: must be one of");
    }

    @Test
    void signingOutEndsTheSession() {
        ConsoleSession operator = ConsoleSession.signIn("operator");
        Response out = operator.page().post("/console/logout");
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.header("HX-Redirect")).isEqualTo("/console/login");
        assertThat(out.getDetailedCookie("genworker-console").getMaxAge()).isLessThanOrEqualTo(0);
    }

    @Test
    void theApiStillAnswersProblemsNotLoginPages() {
        Response api = given().redirects().follow(false).get("/v1/jobs");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.contentType()).contains("application/problem+json");
    }
}
