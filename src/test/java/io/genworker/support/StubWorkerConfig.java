package io.genworker.support;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import io.genworker.config.WorkerConfig;
import io.smallrye.config.WithDefault;

/**
 * A WorkerConfig for plain unit tests: every group at its documented defaults (the {@code @WithDefault} values, as
 * Quarkus would read them with nothing set), and both providers at a test URL with a test key.
 */
public final class StubWorkerConfig implements WorkerConfig {

    @Override
    public Topics topics() {
        return defaults(Topics.class);
    }

    @Override
    public Intake intake() {
        return defaults(Intake.class);
    }

    @Override
    public Jobs jobs() {
        return defaults(Jobs.class);
    }

    @Override
    public Tracker tracker() {
        return defaults(Tracker.class);
    }

    @Override
    public Polling polling() {
        return defaults(Polling.class);
    }

    @Override
    public Health health() {
        return defaults(Health.class);
    }

    @Override
    public Archive archive() {
        return defaults(Archive.class);
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

            @Override
            public int requestsPerSecond() {
                return 50;
            }

            @Override
            public LimitScope limitScope() {
                return LimitScope.ACCOUNT;
            }
        };
    }

    /** A config group whose every setting answers its {@code @WithDefault} value. */
    private static <T> T defaults(Class<T> group) {
        return group.cast(Proxy.newProxyInstance(group.getClassLoader(), new Class<?>[] { group },
                (proxy, method, args) -> {
                    if (method.getName().equals("toString") && method.getParameterCount() == 0) {
                        return group.getSimpleName() + " defaults";
                    }
                    WithDefault value = method.getAnnotation(WithDefault.class);
                    if (value == null && method.getReturnType() == Optional.class) {
                        return Optional.empty();
                    }
                    if (value == null) {
                        throw new UnsupportedOperationException(group.getSimpleName() + "." + method.getName()
                                + " has no default");
                    }
                    return convert(fallbackDefault(value.value()), method.getReturnType());
                }));
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static Object enumValue(Class<?> type, String text) {
        return Enum.valueOf((Class) type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** A default written as {@code ${old.name:value}} (a renamed setting's old name) is its value part here. */
    private static String fallbackDefault(String text) {
        return text.startsWith("${") && text.endsWith("}") ? text.substring(text.lastIndexOf(':') + 1,
                text.length() - 1) : text;
    }

    /** The forms the defaults use: numbers, booleans, text, and durations such as 10s, 20m, 2h or 7d. */
    private static Object convert(String text, Class<?> type) {
        if (type == int.class) {
            return Integer.parseInt(text);
        }
        if (type == short.class) {
            return Short.parseShort(text);
        }
        if (type == double.class) {
            return Double.parseDouble(text);
        }
        if (type == long.class) {
            return Long.parseLong(text);
        }
        if (type.isEnum()) {
            return enumValue(type, text);
        }
        if (type == boolean.class) {
            return Boolean.parseBoolean(text);
        }
        if (type == Duration.class) {
            return text.endsWith("d") ? Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1)))
                    : Duration.parse("PT" + text.toUpperCase(Locale.ROOT));
        }
        return text;
    }
}
