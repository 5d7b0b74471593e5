package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PageCursorTest {

    @Test
    void aCursorReadsBackAsWritten() {
        PageCursor cursor = new PageCursor(Instant.parse("2026-01-01T00:00:00.123456Z"), "job|with|bars");

        assertThat(PageCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "!!!", "bm90IGEgY3Vyc29y", "' OR 1=1 --", "YzF8eHx5", "YzF8MS4xMDAwMDAwMDAwfGo" })
    void anythingElseIsRefused(String cursor) {
        assertThatThrownBy(() -> PageCursor.decode(cursor)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cursor returned by a previous page");
    }

    @Test
    void hugeCursorsAreRefusedUnread() {
        String huge = Base64.getUrlEncoder().encodeToString(("c1|1.0|" + "j".repeat(5000))
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> PageCursor.decode(huge)).isInstanceOf(IllegalArgumentException.class);
    }
}
