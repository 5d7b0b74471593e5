package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.support.StubWorkerConfig;

class ArchiveSettingsTest {

    @Test
    void theDefaultsWithABucketMakeUsableSettings() {
        S3Settings settings = ArchiveSettings.from(archive(Map.of("bucket", Optional.of("videos"),
                "endpointOverride", Optional.of("http://127.0.0.1:9000"), "publicBaseUrl",
                Optional.of("https://cdn.example/videos/"))));

        assertThat(settings.bucket()).isEqualTo("videos");
        assertThat(settings.endpointOverride()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(settings.partSizeBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(settings.presignLifetime()).contains(Duration.ofDays(7));
        assertThat(settings.publicBaseUrl()).as("without its trailing slash").contains("https://cdn.example/videos");
    }

    @Test
    void eachUnusableSettingIsNamedAndTheWorkerRefusesToStart() {
        WorkerConfig.Archive broken = archive(Map.of("partSize", 1024 * 1024, "presignLifetime", Duration.ofDays(8),
                "maxTransfers", 0, "endpointOverride", Optional.of("ftp://user:secret@storage")));

        assertThat(ArchiveSettings.problems(broken)).containsExactly(
                "worker.archive.bucket is required when worker.archive.enabled=true",
                "worker.archive.part-size must be at least 5242880 (S3's smallest part), got 1048576",
                "worker.archive.max-transfers must be at least 1, got 0",
                "worker.archive.presign-lifetime must be between 1s and 7d, got PT192H",
                "worker.archive.endpoint-override must be an http(s) URL with a host",
                "worker.archive.endpoint-override must not carry credentials (the SDK's default chain provides them)");
        assertThatThrownBy(() -> ArchiveSettings.from(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("archiving is on but cannot work: worker.archive.bucket is required")
                .hasMessageNotContaining("secret");
    }

    /** The stub's archive defaults with some settings replaced (by method name). */
    private static WorkerConfig.Archive archive(Map<String, Object> overrides) {
        WorkerConfig.Archive defaults = new StubWorkerConfig().archive();
        Map<String, Object> values = new HashMap<>(overrides);
        return (WorkerConfig.Archive) Proxy.newProxyInstance(WorkerConfig.Archive.class.getClassLoader(),
                new Class<?>[] { WorkerConfig.Archive.class }, (proxy, method, args) -> values.containsKey(
                        method.getName()) ? values.get(method.getName()) : method.invoke(defaults, args));
    }
}
