package io.genworker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.api.ApiUsers;
import io.genworker.support.BrowserEvidence;
import io.genworker.support.BrowserExtension;
import io.genworker.support.Chromium;
import io.genworker.support.KafkaBrokerResource;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.ProviderSimulator.Fault;
import io.genworker.support.ProviderSimulatorResource;
import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The console in a real headless Chromium, on a worker with its real back ends (broker, index, archive, simulator):
 * an operator signs in, reads the overview, filters the table, opens a job and plays its video, cancels and bulk
 * retries while the table updates itself; a viewer sees no inputs and no buttons; hostile text stays text; an action
 * without the CSRF token is refused. Each page is saved as a screenshot under target/browser-screenshots.
 */
@QuarkusTest
@TestProfile(ConsoleProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(ProviderSimulatorResource.class)
@ExtendWith(BrowserExtension.class)
class ConsoleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static WorkerTopics topics;

    @TestHTTPResource("/console")
    URL console;

    @BeforeAll
    static void connect() {
        topics = new WorkerTopics(KafkaBrokerResource.bootstrapServers());
        simulator().serveVideos().servePlayableClips(true);
    }

    @AfterAll
    static void disconnect() {
        simulator().servePlayableClips(false);
        topics.close();
    }

    @AfterEach
    void quickGenerations() {
        simulator().generationTime(Duration.ofSeconds(1));
    }

    @Test
    void theOverviewCountsASeededSetOfJobs(ChromeDriver browser) {
        signIn(browser, "operator");
        browser.get(console.toString());
        long completedBefore = count(browser, "by-state", "COMPLETED");
        long failedBefore = count(browser, "by-state", "FAILED");
        String batch = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(send("ok-" + i + "-" + batch, batch));
        }
        for (int i = 0; i < 2; i++) {
            String id = "bad-" + i + "-" + batch;
            simulator().failSubmitsOf(id, Fault.body(400, "{\"message\":\"prompt rejected\"}"));
            ids.add(send(id, batch));
        }
        topics.awaitResults(ids, WAIT);
        awaitIndexed(browser, batch, 5);

        browser.get(console.toString());
        assertThat(count(browser, "by-state", "COMPLETED")).isEqualTo(completedBefore + 3);
        assertThat(count(browser, "by-state", "FAILED")).isEqualTo(failedBefore + 2);
        assertThat(browser.findElement(By.id("failures")).getText()).contains("prompt rejected");
        long finishedRecently = browser.findElements(By.cssSelector("#per-minute meter")).stream()
                .mapToLong(m -> Long.parseLong(m.getDomAttribute("data-total"))).sum();
        assertThat(finishedRecently).isGreaterThanOrEqualTo(5);
        assertThat(browser.findElement(By.id("none-paused")).getText()).contains("None");
        BrowserEvidence.screenshot(browser, "console-overview");
    }

    @Test
    void filtersNarrowTheTableAndAJobsPageTellsItsStoryAndPlaysItsVideo(ChromeDriver browser) {
        signIn(browser, "operator");
        String batch = UUID.randomUUID().toString();
        String good = send("story-" + batch, batch);
        String bad = "story-bad-" + batch;
        simulator().failSubmitsOf(bad, Fault.body(400, "{\"message\":\"prompt rejected\"}"));
        send(bad, batch);
        topics.awaitResults(List.of(good, bad), WAIT);
        awaitIndexed(browser, batch, 2);

        browser.get(console + "/jobs");
        new Select(browser.findElement(By.id("f-state"))).selectByValue("FAILED");
        browser.findElement(By.id("f-meta-key")).sendKeys("batch");
        browser.findElement(By.id("f-meta-value")).sendKeys(batch + Keys.ENTER);
        waitFor(browser).until(ExpectedConditions.urlContains("state=FAILED"));
        assertThat(rowIds(browser)).containsExactly(bad);
        BrowserEvidence.screenshot(browser, "console-jobs-filtered");

        browser.get(console + "/jobs?jobId=" + good);
        waitFor(browser).until(d -> d.findElements(By.id("job-id")).size() == 1);
        assertThat(browser.findElement(By.id("job-state")).getText()).isEqualTo("COMPLETED");
        assertThat(browser.findElement(By.id("transitions")).getText()).contains("REQUESTED", "SUBMITTED",
                "COMPLETED");
        assertThat(browser.findElement(By.id("input")).getText()).contains(Requests.prompt(good));
        assertThat(browser.findElement(By.id("provider-job-id")).getText()).isNotBlank();
        waitFor(browser).until(d -> number(d, "return document.getElementById('player').readyState") >= 2);
        assertThat(number(browser, "return document.getElementById('player').duration")).isGreaterThan(0);
        assertThat(browser.findElement(By.cssSelector("time")).getDomAttribute("title")).endsWith("(UTC)");
        BrowserEvidence.screenshot(browser, "console-job-with-video");
        assertThat(BrowserEvidence.errors(browser)).isEmpty();
    }

    @Test
    void cancelAndABulkRetryWorkAndTheTableUpdatesLiveWithoutAReload(ChromeDriver browser) {
        signIn(browser, "operator");
        simulator().generationTime(Duration.ofMinutes(5));
        String batch = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(send("live-" + i + "-" + batch, batch));
        }
        awaitIndexed(browser, batch, 3);
        browser.get(console + "/jobs?metaKey=batch&metaValue=" + batch);
        waitFor(browser).until(d -> rowStates(d).values().stream().allMatch("SUBMITTED"::equals)
                && rowStates(d).size() == 3);
        ((JavascriptExecutor) browser).executeScript("window.consoleNotReloaded = true;");

        browser.findElement(By.cssSelector("tr[data-job-id='" + ids.get(0) + "'] button")).click();
        browser.switchTo().alert().accept();
        waitFor(browser).until(d -> "CANCELLED".equals(rowStates(d).get(ids.get(0))));

        browser.findElement(By.id("bulk-cancel")).click();
        waitFor(browser).until(d -> d.findElements(By.id("bulk-eligible")).size() == 1);
        assertThat(browser.findElement(By.id("bulk-eligible")).getText()).isEqualTo("2");
        BrowserEvidence.screenshot(browser, "console-bulk-cancel-dry-run");
        browser.findElement(By.id("bulk-confirm")).click();
        waitFor(browser).until(d -> rowStates(d).values().stream().allMatch("CANCELLED"::equals));

        simulator().generationTime(Duration.ofSeconds(1));
        browser.findElement(By.id("bulk-retry")).click();
        waitFor(browser).until(d -> d.findElements(By.id("bulk-eligible")).size() == 1
                && "3".equals(d.findElement(By.id("bulk-eligible")).getText()));
        browser.findElement(By.id("bulk-confirm")).click();
        List<String> retries = ids.stream().map(id -> id + ".retry-1").toList();
        waitFor(browser).until(d -> retries.stream().allMatch(id -> "COMPLETED".equals(rowStates(d).get(id))));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.consoleNotReloaded"))
                .as("the table changed without a reload").isEqualTo(true);
        BrowserEvidence.screenshot(browser, "console-jobs-live-after-bulk-retry");
        assertThat(BrowserEvidence.errors(browser)).isEmpty();
    }

    @Test
    void theLiveTableCanBePausedAndRefreshedByHand(ChromeDriver browser) {
        signIn(browser, "operator");
        simulator().generationTime(Duration.ofSeconds(3));
        String batch = UUID.randomUUID().toString();
        browser.get(console + "/jobs?metaKey=batch&metaValue=" + batch);
        new Select(browser.findElement(By.id("every"))).selectByValue("0");
        waitFor(browser).until(d -> d.findElement(By.id("live-state")).getText().contains("paused"));
        assertThat(browser.findElements(By.cssSelector("[sse-connect]"))).as("paused: no event stream open").isEmpty();

        String id = send("paused-" + batch, batch);
        topics.awaitResult(id, WAIT);
        awaitIndexed(browser, batch, 1);
        assertThat(rowIds(browser)).as("paused: no new rows").doesNotContain(id);
        browser.findElement(By.id("refresh")).click();
        waitFor(browser).until(d -> rowIds(d).contains(id));

        new Select(browser.findElement(By.id("every"))).selectByValue("1");
        waitFor(browser).until(d -> d.findElement(By.id("live-state")).getText().contains("every 1 s"));
        assertThat(browser.findElement(By.cssSelector("[sse-connect]")).getDomAttribute("sse-connect"))
                .contains("every=1");
    }

    @Test
    void aViewerSeesNoInputsAndNoActionButtons(ChromeDriver browser) {
        String batch = UUID.randomUUID().toString();
        String id = send("viewer-" + batch, batch);
        topics.awaitResult(id, WAIT);
        signIn(browser, "viewer");
        awaitIndexed(browser, batch, 1);

        browser.get(console + "/jobs?every=0&metaKey=batch&metaValue=" + batch);
        assertThat(browser.findElements(By.cssSelector("main button[hx-post]"))).isEmpty();
        assertThat(browser.findElement(By.cssSelector(".role")).getText()).isEqualTo("viewer");
        BrowserEvidence.screenshot(browser, "console-jobs-as-viewer");
        browser.findElement(By.linkText(id)).click();
        waitFor(browser).until(d -> d.findElements(By.id("input-hidden")).size() == 1);
        assertThat(browser.findElements(By.id("input"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(Requests.prompt(id));
        assertThat(browser.findElements(By.cssSelector("main button"))).isEmpty();
        BrowserEvidence.screenshot(browser, "console-job-as-viewer");
    }

    @Test
    void hostilePromptsMetadataAndErrorsRenderAsInertTextAndOddIdsStayOneLink(ChromeDriver browser) {
        signIn(browser, "operator");
        String batch = UUID.randomUUID().toString();
        // Intake refuses ids outside [A-Za-z0-9._:@/+=-]; these characters stay, and a slash must stay one segment.
        String id = "tenant/hostile+" + batch + "=x:y@z";
        String prompt = "<script>window.pwned=2</script>\"><img src=x onerror=\"window.pwned=3\"> " + batch;
        ObjectNode request = Requests.textToVideo(id);
        ((ObjectNode) request.get("input")).put("prompt", prompt);
        ObjectNode metadata = (ObjectNode) request.get("metadata");
        metadata.put("batch", batch).put("<b>key</b>", "\"><svg onload=\"window.pwned=4\">")
                .put("link", "javascript:window.pwned=5");
        simulator().failSubmitsOf(batch, Fault.body(400,
                "{\"message\":\"<img src=x onerror=\\\"window.pwned=6\\\"> rejected\"}"));
        topics.send(id, request.toString());
        awaitIndexed(browser, batch, 1);

        // Paused, so the rows read are the rows shown.
        browser.get(console + "/jobs?every=0&metaKey=batch&metaValue=" + batch);
        assertThat(rowIds(browser)).containsExactly(id);
        assertThat(browser.findElement(By.cssSelector("td.meta")).getText()).contains("link=javascript:");
        BrowserEvidence.screenshot(browser, "console-hostile-row");
        browser.findElement(By.linkText(id)).click();
        waitFor(browser).until(d -> d.findElements(By.id("job-id")).size() == 1);

        assertThat(browser.findElement(By.id("job-id")).getText()).isEqualTo(id);
        assertThat(browser.findElement(By.id("input")).getText()).contains("<script>window.pwned=2</script>");
        assertThat(browser.findElement(By.id("metadata")).getText()).contains("javascript:window.pwned=5",
                "\"<b>key</b>\"", "<svg onload=");
        assertThat(browser.findElement(By.id("error")).getText()).contains("<img src=x");
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.pwned"))
                .as("no hostile script ran").isEqualTo("undefined");
        assertThat(browser.findElements(By.cssSelector("main img, main svg, main script"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("main a[href^='javascript']"))).isEmpty();
        BrowserEvidence.screenshot(browser, "console-hostile-job");
    }

    @Test
    void anActionWithoutTheCsrfTokenIsRefused(ChromeDriver browser) {
        signIn(browser, "operator");
        browser.get(console + "/jobs");
        String id = "csrf-" + UUID.randomUUID();
        Object withoutToken = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/console/jobs/" + id + "/cancel', {method: 'POST'}).then(r => done(r.status));");
        Object withToken = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];"
                        + "fetch('/console/jobs/" + id + "/cancel', {method: 'POST', headers: {'X-CSRF-Token': token}})"
                        + ".then(r => done(r.status));");
        assertThat(((Number) withoutToken).intValue()).isEqualTo(403);
        assertThat(((Number) withToken).intValue()).isEqualTo(200);
    }

    @Test
    void thePagesWorkByKeyboardAndAtANarrowWidth(ChromeDriver browser) {
        signIn(browser, "operator");
        browser.manage().window().setSize(Chromium.NARROW);
        try {
            browser.get(console + "/jobs");
            browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
            WebElement focused = browser.switchTo().activeElement();
            assertThat(focused.getText()).isEqualTo("Skip to content");
            long scrollWidth = number(browser, "return document.documentElement.scrollWidth");
            long viewport = number(browser, "return window.innerWidth");
            assertThat(viewport).as("a phone's width (headless Chromium's narrowest)").isLessThanOrEqualTo(500);
            assertThat(scrollWidth).as("no sideways scrolling of the page: the table scrolls in its own box")
                    .isLessThanOrEqualTo(viewport);
            BrowserEvidence.screenshot(browser, "console-jobs-narrow");
            browser.get(console.toString());
            BrowserEvidence.screenshot(browser, "console-overview-narrow");
        } finally {
            browser.manage().window().setSize(Chromium.WIDE);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void signIn(ChromeDriver browser, String user) {
        browser.manage().deleteAllCookies();
        browser.get(console.toString());
        waitFor(browser).until(ExpectedConditions.urlContains("/console/login"));
        BrowserEvidence.screenshot(browser, "console-login");
        browser.findElement(By.id("j_username")).sendKeys(user);
        browser.findElement(By.id("j_password")).sendKeys(ApiUsers.password(user) + Keys.ENTER);
        waitFor(browser).until(d -> d.findElements(By.cssSelector(".role")).size() == 1);
    }

    private static String send(String id, String batch) {
        ObjectNode request = Requests.textToVideo(id);
        ((ObjectNode) request.get("metadata")).put("batch", batch);
        topics.send(id, request.toString());
        return id;
    }

    /**
     * Waits, through the job API and without touching the browser's page, until the index holds this many jobs of
     * the batch in a state a test waits for (it lags the job log by a little).
     */
    private static void awaitIndexed(ChromeDriver browser, String batch, int jobs) {
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
            List<String> states = io.restassured.RestAssured.given().auth().preemptive()
                    .basic("viewer", ApiUsers.password("viewer")).queryParam("meta.batch", batch)
                    .get("/v1/jobs").then().statusCode(200).extract().jsonPath().getList("jobs.state");
            assertThat(states.stream().filter(state -> state.equals("COMPLETED") || state.equals("FAILED")
                    || state.equals("SUBMITTED")).count()).as("indexed jobs of %s: %s", batch, states)
                    .isGreaterThanOrEqualTo(jobs);
        });
    }

    /** The table's rows as one read (the live table may swap them between two element reads). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> rowStates(WebDriver browser) {
        Object rows = ((JavascriptExecutor) browser).executeScript("const rows = [];"
                + "document.querySelectorAll('#rows tr[data-job-id]').forEach(r => rows.push("
                + "[r.getAttribute('data-job-id'), r.getAttribute('data-state')]));"
                + "return rows;");
        Map<String, String> states = new java.util.LinkedHashMap<>();
        for (Object row : (List<Object>) rows) {
            List<Object> pair = (List<Object>) row;
            states.put((String) pair.get(0), (String) pair.get(1));
        }
        return states;
    }

    private static List<String> rowIds(WebDriver browser) {
        return List.copyOf(rowStates(browser).keySet());
    }

    private static long count(WebDriver browser, String table, String name) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#" + table + " td[data-count='" + name + "']"));
        return cells.isEmpty() ? 0 : Long.parseLong(cells.get(0).getText().strip());
    }

    private static long number(WebDriver browser, String script) {
        Object value = ((JavascriptExecutor) browser).executeScript(script);
        return value == null ? 0 : Math.round(((Number) value).doubleValue());
    }

    private static org.openqa.selenium.support.ui.FluentWait<WebDriver> waitFor(WebDriver browser) {
        return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class);
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulatorResource.simulator();
    }
}
