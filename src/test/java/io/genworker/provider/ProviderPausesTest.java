package io.genworker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.genworker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ProviderPausesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration RETRY = Duration.ofSeconds(60);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProviderPauses pauses = new ProviderPauses(RETRY, new WorkerMetrics(registry));

    @Test
    void aProviderWithoutAFaultMayAlwaysBeCalled() {
        assertThat(pauses.mayCall("aimlapi", T0)).isTrue();
        assertThat(pauses.isPaused("aimlapi")).isFalse();
    }

    @Test
    void aRefusedAccountBlocksEveryCallUntilTheRetryInterval() {
        pauses.accountRefused("aimlapi", "HTTP 401", T0);

        assertThat(pauses.mayCall("aimlapi", T0.plusSeconds(59))).isFalse();
        assertThat(pauses.waitBeforeRetry("aimlapi", T0.plusSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(pauses.mayCall("segmind", T0)).isTrue();
    }

    @Test
    void onlyOneProbeGoesOutPerInterval() {
        pauses.accountRefused("aimlapi", "HTTP 406", T0);

        assertThat(pauses.mayCall("aimlapi", T0.plus(RETRY))).isTrue();
        assertThat(pauses.mayCall("aimlapi", T0.plus(RETRY))).isFalse();
        assertThat(pauses.waitBeforeRetry("aimlapi", T0.plus(RETRY))).isEqualTo(RETRY.dividedBy(4));
    }

    @Test
    void anAcceptedCallLiftsThePause() {
        pauses.accountRefused("aimlapi", "HTTP 401", T0);
        pauses.mayCall("aimlapi", T0.plus(RETRY));

        pauses.accountAccepted("aimlapi");

        assertThat(pauses.isPaused("aimlapi")).isFalse();
        assertThat(pauses.mayCall("aimlapi", T0.plus(RETRY))).isTrue();
    }

    @Test
    void anInconclusiveProbeKeepsThePauseAndSchedulesTheNextProbe() {
        pauses.accountRefused("aimlapi", "HTTP 401", T0);
        Instant probeAt = T0.plus(RETRY);
        pauses.mayCall("aimlapi", probeAt);

        pauses.probeInconclusive("aimlapi", probeAt);

        assertThat(pauses.isPaused("aimlapi")).isTrue();
        assertThat(pauses.mayCall("aimlapi", probeAt.plusSeconds(1))).isFalse();
        assertThat(pauses.mayCall("aimlapi", probeAt.plus(RETRY))).isTrue();
    }

    @Test
    void thePauseIsExposedAsAGauge() {
        pauses.accountRefused("aimlapi", "HTTP 401", T0);

        assertThat(registry.get(WorkerMetrics.PROVIDER_PAUSED).tag("provider", "aimlapi").gauge().value())
                .isEqualTo(1.0);
        pauses.accountAccepted("aimlapi");
        assertThat(registry.get(WorkerMetrics.PROVIDER_PAUSED).tag("provider", "aimlapi").gauge().value())
                .isEqualTo(0.0);
    }
}
