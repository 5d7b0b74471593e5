package io.genworker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.genworker.support.ProviderSimulator.Fault;

class SimulatorRateLimitTest {

    private static final long MS = 1_000_000L;

    @Test
    void acceptsAtMostTheLimitOverAnySlidingSecond() {
        SimulatorRateLimit limit = new SimulatorRateLimit("{}");
        limit.perSecond(3);

        assertThat(limit.admit(0)).isNull();
        assertThat(limit.admit(400 * MS)).isNull();
        assertThat(limit.admit(800 * MS)).isNull();
        Fault refused = limit.admit(900 * MS);
        // The first call leaves the window at 1000 ms; the next one a second after it arrived.
        assertThat(limit.admit(1000 * MS)).isNull();
        assertThat(limit.admit(1300 * MS)).isNotNull();
        assertThat(limit.admit(1400 * MS)).isNull();

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isEqualTo("1");
        assertThat(limit.accepted()).isEqualTo(5);
        assertThat(limit.refused()).isEqualTo(2);
    }

    @Test
    void offAcceptsEverything() {
        SimulatorRateLimit limit = new SimulatorRateLimit("{}");
        for (int i = 0; i < 100; i++) {
            assertThat(limit.admit(i)).isNull();
        }
        assertThat(limit.accepted()).isEqualTo(100);
    }

    @Test
    void theSimulatorAnswersCallsOverTheAccountsLimitWith429AndRetryAfter() throws Exception {
        try (ProviderSimulator simulator = ProviderSimulator.start().accountRateLimit(5)) {
            HttpClient http = HttpClient.newHttpClient();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                        + "/v2/video/generations?generation_id=none-" + i))
                        .header("Authorization", "Bearer " + ProviderSimulator.AIMLAPI_KEY).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }

            List<HttpResponse<String>> limited = answers.stream().filter(a -> a.statusCode() == 429).toList();
            assertThat(limited).hasSize(3).allSatisfy(a -> {
                assertThat(a.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(a.body()).contains("Too many requests");
            });
            assertThat(simulator.callsRateLimited()).isEqualTo(3);
            assertThat(simulator.callsWithinRateLimit()).isEqualTo(5);
            String counts = http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                    + ProviderSimulator.RATE_LIMITS_PATH)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(counts).contains("\"aimlapi\":{\"accepted\":5,\"rateLimited\":3}");
        }
    }
}
