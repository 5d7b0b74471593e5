package io.genworker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConsoleQueryTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void blankFieldsMeanAnyAndARelativeRangeBecomesAnInstantAtEachRead() {
        ConsoleQuery query = ConsoleQuery.of(Map.of("state", List.of("FAILED"), "provider", List.of(" "),
                "since", List.of("1h"), "model", List.of("")));

        assertThat(query.apiParams(NOW)).containsExactlyInAnyOrderEntriesOf(Map.of("state", List.of("FAILED"),
                "receivedAfter", List.of("2026-12-03T11:00:00Z")));
        assertThat(query.apiParams(NOW.plusSeconds(60)).get("receivedAfter")).containsExactly("2026-12-03T11:01:00Z");
    }

    @Test
    void oneMetadataPairBecomesTheApisMetaParameter() {
        ConsoleQuery query = ConsoleQuery.of(Map.of("metaKey", List.of("tenant"), "metaValue", List.of("acme")));
        assertThat(query.apiParams(NOW)).containsEntry("meta.tenant", List.of("acme"));
    }

    @Test
    void anUnknownRangeIsPassedOnSoTheApiNamesIt() {
        assertThat(ConsoleQuery.of(Map.of("since", List.of("3 weeks"))).apiParams(NOW)).containsKey("since");
    }

    @Test
    void theFilterGoesIntoLinksEncodedAndOnlyWhatIsSet() {
        ConsoleQuery query = ConsoleQuery.of(Map.of("state", List.of("FAILED"), "metaKey", List.of("a&b"),
                "metaValue", List.of("x y")));
        assertThat(query.toQueryString()).isEqualTo("state=FAILED&metaKey=a%26b&metaValue=x+y");
        assertThat(query.filtered()).isTrue();
        assertThat(ConsoleQuery.of(Map.of()).filtered()).isFalse();
        assertThat(ConsoleQuery.of(Map.of("cursor", List.of("abc"))).toQueryString()).isEmpty();
    }

    @Test
    void aBulkActionConfirmedLaterActsOnTheJobsItsDryRunCountedNotOnNewOnes() {
        ConsoleQuery query = ConsoleQuery.of(Map.of("state", List.of("FAILED"), "since", List.of("15m")));

        ConsoleQuery pinned = query.pinned(NOW);

        assertThat(pinned.apiParams(NOW.plusSeconds(600))).containsEntry("receivedAfter",
                List.of("2026-12-03T11:45:00Z")).containsEntry("receivedBefore", List.of("2026-12-03T12:00:00Z"))
                .containsEntry("state", List.of("FAILED"));
    }
}
