package io.genworker.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {

    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsKeptWithItsTracestate() {
        assertThat(TraceContext.of(VALID, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"))
                .contains(new TraceContext(VALID, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n<script>"
    })
    void aMalformedTraceparentIsDropped(String traceparent) {
        assertThat(TraceContext.of(traceparent, "congo=t61rcWkgMzE")).isEmpty();
    }

    @Test
    void aLaterVersionIsPassedOnAsVersion00() {
        assertThat(TraceContext.of("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", null))
                .contains(new TraceContext(VALID, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-equals-sign", "UPPER=1", "k=v\u0007", "=v", "k=v,k2"})
    void aMalformedTracestateIsDroppedAlone(String tracestate) {
        assertThat(TraceContext.of(VALID, tracestate)).contains(new TraceContext(VALID, null));
    }

    @Test
    void aTracestateOfMoreThan32MembersIsDropped() {
        String tooMany = String.join(",", java.util.stream.IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v")
                .toList());
        assertThat(TraceContext.of(VALID, tooMany)).contains(new TraceContext(VALID, null));
    }
}
