package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectKeysTest {

    @Test
    void joinsPrefixJobAndFileName() {
        assertThat(ObjectKeys.keyFor("archive", "job-1", "clip.mp4")).isEqualTo("archive/job-1/clip.mp4");
        assertThat(ObjectKeys.keyFor("videos/2026", "job_1.a", "clip.mp4")).isEqualTo("videos/2026/job_1.a/clip.mp4");
    }

    @Test
    void emptyPrefixAndStraySlashesAddNoSegment() {
        assertThat(ObjectKeys.keyFor("", "job-1", "clip.mp4")).isEqualTo("job-1/clip.mp4");
        assertThat(ObjectKeys.keyFor(null, "job-1", "clip.mp4")).isEqualTo("job-1/clip.mp4");
        assertThat(ObjectKeys.keyFor("/archive//", "job-1", "clip.mp4")).isEqualTo("archive/job-1/clip.mp4");
    }

    @Test
    void fileNameDefaultsWhenMissing() {
        assertThat(ObjectKeys.keyFor("archive", "job-1", null)).isEqualTo("archive/job-1/video.mp4");
        assertThat(ObjectKeys.keyFor("archive", "job-1", "  ")).isEqualTo("archive/job-1/video.mp4");
    }

    @Test
    void hostileJobIdOrFileNameStaysOneSegment() {
        assertThat(ObjectKeys.keyFor("archive", "../../etc", "passwd")).isEqualTo("archive/..%2F..%2Fetc/passwd");
        assertThat(ObjectKeys.keyFor("archive", "..", ".")).isEqualTo("archive/%2E%2E/%2E");
        assertThat(ObjectKeys.keyFor("archive", "job", "a/b\\c d?.mp4")).isEqualTo("archive/job/a%2Fb%5Cc%20d%3F.mp4");
        assertThat(ObjectKeys.keyFor("archive", "job", "...")).isEqualTo("archive/job/...");
        assertThat(ObjectKeys.keyFor("..", "job", "v.mp4")).isEqualTo("%2E%2E/job/v.mp4");
    }

    @Test
    void escapingIsInjective() {
        // '%' is escaped too, so an id that looks escaped never collides with the one it looks like.
        assertThat(ObjectKeys.keyFor("a", "x%2Fy", "v")).isEqualTo("a/x%252Fy/v");
        assertThat(ObjectKeys.keyFor("a", "x/y", "v")).isEqualTo("a/x%2Fy/v");
        assertThat(ObjectKeys.keyFor("a", "%2E%2E", "v")).isNotEqualTo(ObjectKeys.keyFor("a", "..", "v"));
    }

    @Test
    void nonAsciiIsEscapedAsUtf8() {
        assertThat(ObjectKeys.keyFor("a", "jöb", "ü.mp4")).isEqualTo("a/j%C3%B6b/%C3%BC.mp4");
        assertThat(ObjectKeys.keyFor("a", "job\u0000\n", "v")).isEqualTo("a/job%00%0A/v");
    }

    @Test
    void jobIdIsRequired() {
        assertThatThrownBy(() -> ObjectKeys.keyFor("a", "", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectKeys.keyFor("a", null, "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLongFileNameIsCutToKeepTheKeyUnderS3sLimitKeepingItsExtension() {
        String longName = "\u00e9".repeat(5_000) + ".mp4";
        String other = "\u00e8".repeat(5_000) + ".mp4";

        String key = ObjectKeys.keyFor("videos", "j".repeat(128), longName);

        assertThat(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
        assertThat(key).endsWith(".mp4").doesNotContain("/%C3%A9/");
        assertThat(key).isNotEqualTo(ObjectKeys.keyFor("videos", "j".repeat(128), other));
        assertThat(key.substring(key.lastIndexOf('/') + 1)).hasSizeLessThanOrEqualTo(ObjectKeys.MAX_FILE_NAME)
                .doesNotContainPattern("%.?$");
    }
}
