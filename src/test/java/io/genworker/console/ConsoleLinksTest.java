package io.genworker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;

class ConsoleLinksTest {

    @Test
    void aJobIdIsAlwaysOnePathSegmentWhateverItHolds() {
        assertThat(ConsoleLinks.job("job-1.a_b~c")).isEqualTo("/console/jobs/job-1.a_b~c");
        assertThat(ConsoleLinks.job("a/b?c#d")).isEqualTo("/console/jobs/a%2Fb%3Fc%23d");
        assertThat(ConsoleLinks.job("\"><img onerror=x>")).isEqualTo("/console/jobs/%22%3E%3Cimg%20onerror%3Dx%3E");
        assertThat(ConsoleLinks.job("..")).isEqualTo("/console/jobs/%2E%2E");
        assertThat(ConsoleLinks.job("é")).isEqualTo("/console/jobs/%C3%A9");
    }

    @Test
    void aStateBecomesACssClassOnlyWhenItIsAKnownState() {
        assertThat(JobRow.stateClass("FAILED")).isEqualTo("failed");
        assertThat(JobRow.stateClass("x\" onclick=\"y")).isEqualTo("unknown");
        assertThat(JobRow.stateClass(null)).isEqualTo("unknown");
    }

    @Test
    void onlyHttpUrlsEverReachThePlayerOrThePolicy() {
        assertThat(JobVideo.httpUrl("https://cdn.example/v.mp4")).contains("https://cdn.example/v.mp4");
        assertThat(JobVideo.httpUrl("javascript:alert(1)")).isEmpty();
        assertThat(JobVideo.httpUrl("data:video/mp4;base64,AAAA")).isEmpty();
        assertThat(JobVideo.httpUrl("http:///nohost")).isEmpty();
        assertThat(JobVideo.httpUrl("not a url")).isEmpty();
        assertThat(ConsoleHeaders.origin("https://bucket.s3.amazonaws.com/key?X-Amz=1"))
                .contains("https://bucket.s3.amazonaws.com");
        assertThat(ConsoleHeaders.origin("http://127.0.0.1:9000")).contains("http://127.0.0.1:9000");
        assertThat(ConsoleHeaders.origin("javascript:alert(1)")).isEmpty();
        assertThat(ConsoleHeaders.origin("https://a.example; script-src *")).isEmpty();
    }

    @Test
    void anArchivedCopyOnAwsPlaysUnderTheWildcardTheArchiveAddsToThePolicy() {
        Set<String> sources = Set.of("https://*.amazonaws.com", "http://127.0.0.1:9000");
        assertThat(ConsoleHeaders.allows(sources, "https://videos.s3.eu-west-1.amazonaws.com")).isTrue();
        assertThat(ConsoleHeaders.allows(sources, "http://127.0.0.1:9000")).isTrue();
        assertThat(ConsoleHeaders.allows(sources, "http://videos.s3.amazonaws.com")).as("another scheme").isFalse();
        assertThat(ConsoleHeaders.allows(sources, "https://amazonaws.com.evil.example")).isFalse();
        assertThat(ConsoleHeaders.allows(sources, "https://cdn.provider.example")).isFalse();
    }

    @Test
    void theArchivesOriginsAreWhereItsUrlsPoint() {
        assertThat(ConsoleHeaders.mediaOrigins(archive("https://fra1.digitaloceanspaces.com", false), Optional.empty()))
                .as("virtual-hosted: the bucket in the host").containsExactlyInAnyOrder(
                        "https://fra1.digitaloceanspaces.com", "https://videos.fra1.digitaloceanspaces.com");
        assertThat(ConsoleHeaders.mediaOrigins(archive("http://127.0.0.1:9000", true), Optional.empty()))
                .containsExactly("http://127.0.0.1:9000");
        assertThat(ConsoleHeaders.mediaOrigins(archive(null, false), Optional.of(List.of("https://cdn.example/x"))))
                .as("AWS itself, plus what is configured").containsExactly("https://*.amazonaws.com",
                        "https://cdn.example");
    }

    private static WorkerConfig.Archive archive(String endpoint, boolean pathStyle) {
        return (WorkerConfig.Archive) Proxy.newProxyInstance(WorkerConfig.Archive.class.getClassLoader(),
                new Class<?>[] { WorkerConfig.Archive.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "enabled" -> true;
                    case "pathStyle" -> pathStyle;
                    case "bucket" -> Optional.of("videos");
                    case "endpointOverride" -> Optional.ofNullable(endpoint);
                    case "publicBaseUrl" -> Optional.empty();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void thePolicyAllowsNoInlineScriptAndNamesTheMediaOrigins() {
        String policy = ConsoleHeaders.contentSecurityPolicy(Set.of("http://127.0.0.1:9000"));
        assertThat(policy).contains("script-src 'self';").contains("media-src 'self' http://127.0.0.1:9000;")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe");
    }
}
