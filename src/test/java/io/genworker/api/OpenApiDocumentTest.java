package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulatorResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/** The OpenAPI document the build generates: served to API callers only, valid to a real OpenAPI parser. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
@QuarkusTestResource(ApiTokens.class)
class OpenApiDocumentTest {

    @Test
    void theServedDocumentIsValidAndListsThePathsAndSecuritySchemes() {
        Response response = ApiUsers.viewer().queryParam("format", "json").get("/v1/openapi");
        assertThat(response.statusCode()).isEqualTo(200);

        OpenAPI document = parse(response.asString());

        assertThat(document.getPaths()).containsKeys("/v1/jobs", "/v1/jobs/{id}/cancel", "/v1/jobs/{id}/retry",
                "/v1/bulk/cancel", "/v1/bulk/retry");
        assertThat(document.getPaths().keySet()).allMatch(path -> path.startsWith("/v1/"));
        assertThat(document.getComponents().getSecuritySchemes()).containsKeys(ApiDocument.BEARER, ApiDocument.BASIC);
        assertThat(document.getComponents().getSecuritySchemes().get(ApiDocument.BEARER).getBearerFormat())
                .isEqualTo("JWT");
        assertThat(document.getSecurity()).hasSize(2);
        assertThat(document.getPaths().get("/v1/jobs").getPost().getResponses())
                .containsKeys("202", "400", "401", "403", "413", "503");
        assertThat(document.getComponents().getSchemas()).containsKeys("Problem", "FieldError", "JobAccepted",
                "SubmitRequest", "CancelRequest");
    }

    @Test
    void theBuildStoresTheSameDocumentUnderTarget() throws Exception {
        Path stored = Path.of("target", "openapi", "openapi.json");
        assertThat(stored).exists();
        OpenAPI document = parse(Files.readString(stored));
        OpenAPI served = parse(ApiUsers.operator().queryParam("format", "json").get("/v1/openapi").asString());
        assertThat(document.getPaths().keySet()).isEqualTo(served.getPaths().keySet());
    }

    private static OpenAPI parse(String text) {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(text);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        return result.getOpenAPI();
    }
}
