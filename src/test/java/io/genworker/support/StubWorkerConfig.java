package io.genworker.support;

import io.genworker.config.WorkerConfig;
import java.util.Optional;

/** A WorkerConfig for plain unit tests: provider settings only; the other groups are not used there. */
public final class StubWorkerConfig implements WorkerConfig {

    @Override
    public Topics topics() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Intake intake() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tracker tracker() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Polling polling() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Health health() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Providers providers() {
        return new Providers() {
            @Override
            public Provider aimlapi() {
                return provider("https://api.aimlapi.test", "test-key");
            }

            @Override
            public Provider segmind() {
                return provider("https://api.segmind.test", "test-key");
            }
        };
    }

    private static Provider provider(String baseUrl, String apiKey) {
        return new Provider() {
            @Override
            public String baseUrl() {
                return baseUrl;
            }

            @Override
            public Optional<String> apiKey() {
                return Optional.ofNullable(apiKey);
            }

            @Override
            public int maxConcurrentCalls() {
                return 32;
            }
        };
    }
}

