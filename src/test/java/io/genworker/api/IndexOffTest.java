package io.genworker.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.genworker.support.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;

/** The test profile's worker, as any worker with `worker.index.enabled=false`: no database, reads answer 503. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class IndexOffTest {

    @Test
    @TestSecurity(user = "ops", roles = "operator")
    void readsAnswerThatTheIndexIsOff() {
        given().get("/v1/jobs").then().statusCode(503).contentType("application/problem+json")
                .body("type", equalTo("urn:genworker:problem:index-disabled")).body("status", equalTo(503));
        given().get("/v1/jobs/{id}", "any").then().statusCode(503).contentType("application/problem+json");
    }

    @Test
    void readinessSaysTheIndexIsOffAndIsUp() {
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'index' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'index' }.data.enabled", equalTo(false));
    }
}
