package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class CancelCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CancelCommand read(String body) {
        return CancelCommand.read("job-1", body.getBytes(StandardCharsets.UTF_8), "otto", "/v1/jobs/job-1/cancel");
    }

    @Test
    void theCommandHasTheContractsFields() throws Exception {
        JsonNode value = JSON.readTree(read("{\"reason\": \"duplicate\"}").toJson());

        assertThat(value.toString()).isEqualTo(
                "{\"type\":\"cancel\",\"jobId\":\"job-1\",\"reason\":\"duplicate\",\"requestedBy\":\"otto\"}");
    }

    @Test
    void anEmptyBodyOrANullReasonIsACancelWithoutReason() throws Exception {
        assertThat(JSON.readTree(read("").toJson()).has("reason")).isFalse();
        assertThat(JSON.readTree(read("{\"reason\": null}").toJson()).has("reason")).isFalse();
    }

    @Test
    void reasonsAreCountedAsIntakeCountsThemInUtf16Units() {
        assertThat(read("{\"reason\": \"" + "é".repeat(500) + "\"}").reason()).hasSize(500);
        assertThatThrownBy(() -> read("{\"reason\": \"" + "😀".repeat(251) + "\"}"))
                .isInstanceOf(ApiProblemException.class);
    }

    @Test
    void aLongCallerNameIsCut() {
        CancelCommand command = CancelCommand.read("job-1", new byte[0], "u".repeat(300), "/");
        assertThat(command.requestedBy()).hasSize(CancelCommand.MAX_REQUESTED_BY);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        assertThat(CancelCommand.cut("ab😀", 3)).isEqualTo("ab");
        assertThat(CancelCommand.cut("abc😀", 3)).isEqualTo("abc");
    }

    @Test
    void printableTextHasNoControlsLoneSurrogatesOrDirectionOverrides() {
        assertThat(CancelCommand.printable("café – ✓ 😀")).isTrue();
        assertThat(CancelCommand.printable("a\u0007b")).isFalse();
        assertThat(CancelCommand.printable("a\nb")).isFalse();
        assertThat(CancelCommand.printable("a\ud800")).isFalse();
        assertThat(CancelCommand.printable("\udc00a")).isFalse();
        assertThat(CancelCommand.printable("a\u202Eb")).isFalse();
        assertThat(CancelCommand.printable("a\u2066b")).isFalse();
    }

    @Test
    void everyBrokenRuleIsListed() {
        assertThatThrownBy(() -> read("{\"reason\": 1, \"force\": true, \"requestedBy\": \"x\"}"))
                .isInstanceOfSatisfying(ApiProblemException.class, e -> assertThat(e.problem().errors())
                        .extracting(ApiProblem.FieldError::field)
                        .containsExactlyInAnyOrder("reason", "force", "requestedBy"));
    }
}
