package io.genworker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator's playable clips as a downloader meets them: video/webm with the clip's real size and SHA-256, a
 * single byte range answered 206, and the patterned video/mp4 default untouched for everyone else.
 */
class PlayableClipsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ProviderSimulator simulator;
    private byte[] clip;

    @BeforeEach
    void start() throws IOException {
        simulator = ProviderSimulator.start().serveVideos();
        try (InputStream in = PlayableClipsTest.class.getResourceAsStream("/simulator/clip.webm")) {
            clip = in.readAllBytes();
        }
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void withPlayableClipsOnEveryVideoIsTheClipAsVideoWebm() throws Exception {
        simulator.servePlayableClips(true);
        String url = simulator.publishVideo("aimlapi", "job-any");

        HttpResponse<byte[]> response = get(url, null);

        SimulatedVideos.Video video = simulator.videoOf("job-any").orElseThrow();
        assertThat(url).contains(".webm");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("video/webm");
        assertThat(response.headers().firstValue("Content-Length")).hasValue(Long.toString(clip.length));
        assertThat(response.body()).isEqualTo(clip);
        assertThat(video.size()).isEqualTo(clip.length);
        assertThat(video.sha256()).isEqualTo(sha256(clip));
    }

    @Test
    void aMarkedPromptGetsTheClipWhileOthersKeepThePatternedMp4() throws Exception {
        String marked = simulator.publishVideo("segmind", "job-marked " + SimulatedVideos.PLAYABLE_MARKER);
        String plain = simulator.publishVideo("segmind", "job-plain");

        assertThat(get(marked, null).headers().firstValue("Content-Type")).hasValue("video/webm");
        HttpResponse<byte[]> patterned = get(plain, null);
        SimulatedVideos.Video video = simulator.videoOf("job-plain").orElseThrow();
        assertThat(patterned.headers().firstValue("Content-Type")).hasValue(SimulatedVideos.CONTENT_TYPE);
        assertThat(patterned.headers().firstValue("Accept-Ranges")).hasValue("none");
        assertThat(sha256(patterned.body())).isEqualTo(SimulatedVideos.sha256(video.seed(), video.size()))
                .isEqualTo(video.sha256());
    }

    @Test
    void aRangeOfTheClipIsAnsweredWithThoseBytes() throws Exception {
        String url = simulator.publishVideo("segmind", "job-range " + SimulatedVideos.PLAYABLE_MARKER);

        HttpResponse<byte[]> middle = get(url, "bytes=100-199");
        HttpResponse<byte[]> tail = get(url, "bytes=-10");
        HttpResponse<byte[]> past = get(url, "bytes=" + clip.length + "-");

        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + clip.length);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(clip, 100, 200));
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(clip, clip.length - 10, clip.length));
        assertThat(past.statusCode()).isEqualTo(416);
    }

    private static HttpResponse<byte[]> get(String url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (range != null) {
            request.header("Range", range);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
