package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.genworker.index.PageCursor;

class FilterParamsTest {

    private static List<IndexProblem.FieldError> errors(Map<String, List<String>> params) {
        try {
            FilterParams.read(params);
        } catch (IndexProblem problem) {
            assertThat(problem.status()).isEqualTo(400);
            return problem.errors();
        }
        throw new AssertionError("accepted " + params);
    }

    @Test
    void everyFilterIsRead() {
        PageCursor cursor = new PageCursor(Instant.parse("2026-01-01T00:00:00Z"), "j9");
        FilterParams.Listing listing = FilterParams.read(Map.of(
                "state", List.of("FAILED", "CANCELLED,COMPLETED"),
                "provider", List.of("aimlapi"),
                "model", List.of("google/veo-3"),
                "receivedAfter", List.of("2026-01-01T00:00:00Z"),
                "receivedBefore", List.of("2026-01-02T00:00:00Z"),
                "errorCode", List.of("TIMEOUT"),
                "meta.tenant", List.of("acme"),
                "limit", List.of("500"),
                "cursor", List.of(cursor.encode())));

        assertThat(listing.filter().states()).containsExactly("FAILED", "CANCELLED", "COMPLETED");
        assertThat(listing.filter().model()).isEqualTo("google/veo-3");
        assertThat(listing.filter().metadata()).containsEntry("tenant", "acme");
        assertThat(listing.filter().receivedBefore()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(listing.limit()).isEqualTo(500);
        assertThat(listing.cursor()).isEqualTo(cursor);
    }

    @Test
    void noParametersListEverythingFiftyAtATime() {
        FilterParams.Listing listing = FilterParams.read(Map.of());

        assertThat(listing.limit()).isEqualTo(FilterParams.DEFAULT_LIMIT);
        assertThat(listing.filter().states()).isEmpty();
        assertThat(listing.cursor()).isNull();
    }

    @Test
    void eachBadParameterIsNamedWithItsRule() {
        List<IndexProblem.FieldError> errors = errors(Map.of(
                "state", List.of("DONE"),
                "limit", List.of("0"),
                "receivedAfter", List.of("yesterday"),
                "cursor", List.of("nope"),
                "colour", List.of("red")));

        assertThat(errors).extracting(IndexProblem.FieldError::field)
                .containsExactlyInAnyOrder("state", "limit", "receivedAfter", "cursor", "colour");
        assertThat(errors).filteredOn(e -> e.field().equals("state")).first()
                .satisfies(e -> assertThat(e.rule()).contains("CANCEL_REQUESTED").contains("got DONE"));
    }

    @Test
    void hostileValuesAreRefusedNotPassedOn() {
        assertThat(errors(Map.of("limit", List.of("99999999999999999999")))).extracting(IndexProblem.FieldError::field)
                .containsExactly("limit");
        assertThat(errors(Map.of("limit", List.of("501")))).hasSize(1);
        assertThat(errors(Map.of("provider", List.of("x".repeat(10_000))))).hasSize(1);
        assertThat(errors(Map.of("model", List.of("a\u0000b")))).hasSize(1);
        assertThat(errors(Map.of("provider", List.of("a", "b")))).extracting(IndexProblem.FieldError::rule)
                .containsExactly("must be given once");
        assertThat(errors(Map.of("meta." + "k".repeat(65), List.of("v")))).hasSize(1);
        assertThat(errors(Map.of("meta.", List.of("v")))).hasSize(1);
        assertThat(errors(Map.of("meta.k", List.of("v".repeat(257))))).hasSize(1);
        assertThat(errors(Map.of("receivedAfter", List.of("2026-01-02T00:00:00Z"),
                "receivedBefore", List.of("2026-01-01T00:00:00Z")))).extracting(IndexProblem.FieldError::field)
                .containsExactly("receivedBefore");
        assertThat(errors(Map.of("state", List.of("FAILED' OR '1'='1")))).hasSize(1);
    }

    @Test
    void sqlMetacharactersAreJustValues() {
        FilterParams.Listing listing = FilterParams.read(Map.of("provider", List.of("x'; DROP TABLE index_jobs; --"),
                "meta.a\"b", List.of("}{")));

        assertThat(listing.filter().provider()).isEqualTo("x'; DROP TABLE index_jobs; --");
        assertThat(listing.filter().metadata()).containsEntry("a\"b", "}{");
    }

    @Test
    void jobIdsFollowTheIntakeLimits() {
        assertThat(FilterParams.jobId("job-1", 128)).isEqualTo("job-1");
        assertThatThrownBy(() -> FilterParams.jobId("j".repeat(129), 128)).isInstanceOf(IndexProblem.class);
        assertThatThrownBy(() -> FilterParams.jobId("a\nb", 128)).isInstanceOf(IndexProblem.class);
    }
}
