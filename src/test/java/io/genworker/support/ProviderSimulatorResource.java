package io.genworker.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the provider simulator on a free port and points the worker's AI/ML API and Segmind clients at it. */
public class ProviderSimulatorResource implements QuarkusTestResourceLifecycleManager {

    private static ProviderSimulator simulator;

    public static ProviderSimulator simulator() {
        return simulator;
    }

    @Override
    public Map<String, String> start() {
        simulator = ProviderSimulator.start();
        return Map.of(
                "worker.providers.aimlapi.base-url", simulator.baseUrl(),
                "worker.providers.aimlapi.api-key", ProviderSimulator.AIMLAPI_KEY,
                "worker.providers.segmind.base-url", simulator.baseUrl(),
                "worker.providers.segmind.api-key", ProviderSimulator.SEGMIND_KEY);
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }
}
