package io.genworker.support;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The provider simulator as a stand-alone service (docker-compose's {@code simulator}): both providers' APIs on one
 * port, accepting the keys the worker is given, so the stack runs without provider accounts. Built into
 * {@code target/simulator/} by {@code ./mvnw -Psimulator package -DskipTests}.
 * <p>
 * Environment: {@code SIM_PORT} (default 8090; 0 picks a free one), {@code SIM_GENERATION_SECONDS} (default 20), {@code
 * SIM_AIMLAPI_KEY} and {@code SIM_SEGMIND_KEY} (the keys to accept; default: the simulator's own test keys),
 * {@code SIM_REQUESTS_PER_SECOND} (each provider account's rate limit over a sliding second, across all callers;
 * default 0, none). What the limits let through and refused: {@code GET /sim/rate-limits}.
 */
public final class SimulatorService {

    private SimulatorService() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(env("SIM_PORT").orElse("8090"));
        ProviderSimulator simulator = ProviderSimulator.start("0.0.0.0", port)
                .generationTime(Duration.ofSeconds(Long.parseLong(env("SIM_GENERATION_SECONDS").orElse("20"))))
                .acceptKey(env("SIM_AIMLAPI_KEY").orElse(ProviderSimulator.AIMLAPI_KEY))
                .acceptSegmindKey(env("SIM_SEGMIND_KEY").orElse(ProviderSimulator.SEGMIND_KEY))
                .accountRateLimit(Integer.parseInt(env("SIM_REQUESTS_PER_SECOND").orElse("0")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }));
        System.out.println("provider simulator (AI/ML API and Segmind) listening on port "
                + simulator.baseUrl().substring(simulator.baseUrl().lastIndexOf(':') + 1));
        stopped.await();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }
}
