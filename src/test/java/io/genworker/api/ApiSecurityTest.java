package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Who may call what: every API endpoint under every kind of caller, each answer checked for its status and, when
 * refused, for a problem details body. The endpoints' own behaviour is {@link JobCommandTest}'s.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
@QuarkusTestResource(ApiTokens.class)
class ApiSecurityTest {

    private static final List<String> CHALLENGES = List.of("Bearer realm=\"generation-worker\"",
            "Basic realm=\"generation-worker\", charset=\"UTF-8\"");

    /** An endpoint, how to call it, and the role it needs. */
    private record Endpoint(String name, String role, int allowed, Function<RequestSpecification, Response> call) {
    }

    private static List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("POST /v1/jobs", ApiRoles.OPERATOR, 202, spec -> spec.contentType("application/json")
                        .body(Requests.textToVideo("security-" + UUID.randomUUID()).toString()).post("/v1/jobs")),
                new Endpoint("POST /v1/jobs/{id}/cancel", ApiRoles.OPERATOR, 202,
                        spec -> spec.post("/v1/jobs/security-" + UUID.randomUUID() + "/cancel")),
                new Endpoint("GET /v1/openapi", ApiRoles.VIEWER, 200, spec -> spec.get("/v1/openapi")),
                new Endpoint("GET /v1/asyncapi.yaml", ApiRoles.VIEWER, 200, spec -> spec.get("/v1/asyncapi.yaml")),
                // The index is off in the test profile: a caller allowed to read learns that (503).
                new Endpoint("GET /v1/jobs", ApiRoles.VIEWER, 503, spec -> spec.get("/v1/jobs")),
                new Endpoint("GET /v1/jobs/{id}", ApiRoles.VIEWER, 503, spec -> spec.get("/v1/jobs/any")),
                // The index is off in this profile: the operator's actions on it answer 503 past the roles' check.
                new Endpoint("POST /v1/jobs/{id}/retry", ApiRoles.OPERATOR, 503,
                        spec -> spec.post("/v1/jobs/any/retry")),
                new Endpoint("POST /v1/bulk/cancel", ApiRoles.OPERATOR, 503,
                        spec -> spec.post("/v1/bulk/cancel?state=FAILED&dryRun=true")),
                new Endpoint("POST /v1/bulk/retry", ApiRoles.OPERATOR, 503,
                        spec -> spec.post("/v1/bulk/retry?state=FAILED&dryRun=true")));
    }

    private static Map<String, Supplier<RequestSpecification>> callers() {
        Map<String, Supplier<RequestSpecification>> callers = new LinkedHashMap<>();
        callers.put("no credentials", ApiUsers::anonymous);
        callers.put("wrong Basic password", () -> ApiUsers.basic(ApiRoles.OPERATOR, "not-the-password"));
        callers.put("unknown Basic user", () -> ApiUsers.basic("admin", ApiUsers.password(ApiRoles.OPERATOR)));
        callers.put("expired token", () -> ApiUsers.bearer(ApiTokens.expired("alice", ApiRoles.OPERATOR)));
        callers.put("token of another issuer",
                () -> ApiUsers.bearer(ApiTokens.otherIssuer("alice", ApiRoles.OPERATOR)));
        callers.put("token signed by another key",
                () -> ApiUsers.bearer(ApiTokens.otherKey("alice", ApiRoles.OPERATOR)));
        callers.put("malformed token", () -> ApiUsers.bearer("not.a.jwt"));
        callers.put("token without an API role", () -> ApiUsers.bearer(ApiTokens.token("mallory", "admin")));
        callers.put("viewer (Basic)", ApiUsers::viewer);
        callers.put("viewer (token)", () -> ApiUsers.bearer(ApiTokens.token("vera", ApiRoles.VIEWER)));
        callers.put("operator (Basic)", ApiUsers::operator);
        callers.put("operator (token)", () -> ApiUsers.bearer(ApiTokens.token("otto", ApiRoles.OPERATOR)));
        return callers;
    }

    private static int expected(String caller, Endpoint endpoint) {
        if (caller.startsWith("operator")) {
            return endpoint.allowed();
        }
        if (caller.startsWith("viewer")) {
            return endpoint.role().equals(ApiRoles.VIEWER) ? endpoint.allowed() : 403;
        }
        return caller.equals("token without an API role") ? 403 : 401;
    }

    @Test
    void everyEndpointAnswersEachCallerAsItsRoleAllows() {
        List<String> wrong = new ArrayList<>();
        LogCapture log = LogCapture.start();
        try {
            callEveryEndpoint(wrong);
        } finally {
            log.stop();
        }
        assertThat(wrong).isEmpty();
        List<String> secrets = List.of(ApiUsers.password(ApiRoles.OPERATOR), ApiUsers.password(ApiRoles.VIEWER),
                ApiTokens.token("otto", ApiRoles.OPERATOR).split("\\.")[2].substring(0, 20));
        assertThat(log.lines()).isNotEmpty().noneMatch(line -> secrets.stream().anyMatch(line::contains));
    }

    private static void callEveryEndpoint(List<String> wrong) {
        for (Endpoint endpoint : endpoints()) {
            for (Map.Entry<String, Supplier<RequestSpecification>> caller : callers().entrySet()) {
                Response response = endpoint.call().apply(caller.getValue().get());
                int want = expected(caller.getKey(), endpoint);
                String seen = endpoint.name() + " as " + caller.getKey() + ": " + response.statusCode() + " "
                        + response.contentType() + " " + response.body().asString();
                if (response.statusCode() != want) {
                    wrong.add("want " + want + ", got " + seen);
                } else if (want >= 400 && want != 503 && !response.contentType().startsWith(ApiProblem.MEDIA_TYPE)) {
                    wrong.add("not a problem: " + seen);
                } else if (want == 401 && !response.headers().getValues("WWW-Authenticate").equals(CHALLENGES)) {
                    wrong.add("not both challenges: " + response.headers().getValues("WWW-Authenticate") + " " + seen);
                }
                System.out.println("API security: " + seen.substring(0, Math.min(seen.length(), 300)));
            }
        }
    }

    @Test
    void healthAndMetricsStayOpenAndEverythingElseIsClosed() {
        assertThat(ApiUsers.anonymous().get("/q/health/ready").statusCode()).isIn(200, 503);
        assertThat(ApiUsers.anonymous().get("/q/health").statusCode()).isIn(200, 503);
        assertThat(ApiUsers.anonymous().get("/q/metrics").statusCode()).isEqualTo(200);
        for (String path : List.of("/", "/q/openapi", "/q/swagger-ui", "/q/dev-ui", "/v1", "/v1/nothing")) {
            Response response = ApiUsers.anonymous().get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.contentType()).as(path).startsWith(ApiProblem.MEDIA_TYPE);
        }
        assertThat(ApiUsers.operator().get("/q/openapi").statusCode()).isEqualTo(403);
        assertThat(ApiUsers.operator().get("/v1/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void theCredentialsFileIsTheOwnersAloneAndNoPasswordIsLogged() throws Exception {
        assertThat(ApiCredentials.permissions(ApiUsers.FILE)).hasValue(ApiCredentials.OWNER_ONLY);
    }
}
