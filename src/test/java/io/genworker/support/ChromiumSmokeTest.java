package io.genworker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The browser-test set-up works on this machine: headless Chromium starts from the system's packages, and a video
 * element plays the simulator's playable clip from its URL, while the simulator's default patterned bytes stay
 * undecodable (other tests rely on them for checksums; a player must be tested with the clip).
 */
@ExtendWith(BrowserExtension.class)
class ChromiumSmokeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ProviderSimulator simulator;
    private static HttpServer pages;

    @BeforeAll
    static void start() throws IOException {
        simulator = ProviderSimulator.start().serveVideos();
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", ChromiumSmokeTest::videoPage);
        pages.start();
    }

    @AfterAll
    static void stop() {
        pages.stop(0);
        simulator.close();
    }

    @Test
    void aVideoElementLoadsThePlayableClip(ChromeDriver browser) {
        String url = simulator.publishVideo("segmind", "smoke " + SimulatedVideos.PLAYABLE_MARKER);

        browser.get(page(url));
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        // HAVE_METADATA (1) is enough for the duration; HAVE_CURRENT_DATA (2) puts a frame on the screenshot
        wait.until(d -> number(d, "return document.getElementById('clip').readyState") >= 2);

        assertThat(number(browser, "return document.getElementById('clip').duration")).isGreaterThan(0);
        assertThat(number(browser, "return document.getElementById('clip').videoWidth")).isEqualTo(320);
        assertThat(BrowserEvidence.screenshot(browser, "chromium-smoke-clip")).isNotEmptyFile();
        assertThat(BrowserEvidence.errors(browser)).isEmpty();
        assertThat(simulator.videoRequests()).anyMatch(request -> request.endsWith(".webm"));
    }

    @Test
    void thePatternedDefaultVideoIsNotPlayable(ChromeDriver browser) {
        String url = simulator.publishVideo("segmind", "smoke patterned");

        browser.get(page(url));

        // MEDIA_ERR_SRC_NOT_SUPPORTED after the download began: the bytes, not the fetch, are what the player refuses
        new WebDriverWait(browser, WAIT).until(d -> number(d,
                "var e = document.getElementById('clip').error; return e ? e.code : 0") == 4);
        assertThat(simulator.videoRequests()).anyMatch(request -> request.endsWith(".mp4"));
    }

    @Test
    void theWindowIsWideUnlessATestAsksForANarrowOne(ChromeDriver browser) {
        browser.get("data:text/html,<title>size</title>");
        assertThat(number(browser, "return window.innerWidth")).isEqualTo(Chromium.WIDE.getWidth());

        browser.manage().window().setSize(Chromium.NARROW);

        assertThat(number(browser, "return window.innerWidth")).isEqualTo(Chromium.NARROW.getWidth());
    }

    /** GET /?src={url}: the page of {@link #page}; anything else (the browser's favicon request) an empty 204. */
    private static void videoPage(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        if (query == null) {
            // an empty answer keeps the console free of a failed favicon load
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            return;
        }
        byte[] html = ("<!doctype html><title>clip</title><video id=clip muted preload=auto src=\""
                + query.substring("src=".length()) + "\"></video>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, html.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(html);
        }
    }

    /**
     * A page holding only a video element with this source, served from loopback like the console: Chromium lets
     * no data: or public page load media from a loopback address (Private Network Access), so the page cannot be a
     * data: URL.
     */
    private static String page(String videoUrl) {
        return "http://127.0.0.1:" + pages.getAddress().getPort() + "/?src="
                + URLEncoder.encode(videoUrl, StandardCharsets.UTF_8);
    }

    private static double number(WebDriver driver, String script) {
        Object value = ((JavascriptExecutor) driver).executeScript(script);
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }
}
