package io.genworker.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The machine's own Chromium and chromedriver, for browser tests. Both are named by path, so Selenium Manager never
 * runs: it would try to download a browser and a driver, which this build's machines cannot. Found through
 * CHROMIUM_BIN and CHROMEDRIVER_BIN, else where Debian's packages put them, else Ubuntu's chromium-browser names.
 * <p>
 * A browser test starts with {@link #requireBrowser()}: without a browser it is skipped, saying what to install, on
 * a developer's machine; on CI (CI=true) it fails, so that a missing install step cannot pass as a green run.
 */
public final class Chromium {

    /** The window (and, headless, the viewport) every test gets unless it asks for {@link #NARROW}. */
    public static final Dimension WIDE = new Dimension(1280, 900);
    /** A phone-sized window, for layouts that must hold on a narrow screen. */
    public static final Dimension NARROW = new Dimension(390, 844);
    static final String INSTALL = "apt-get install chromium chromium-driver";

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver",
            "/usr/lib/chromium-browser/chromedriver", "/usr/lib/chromium/chromedriver");

    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private final Path browser;
    private final Path driver;

    private Chromium(Path browser, Path driver) {
        this.browser = browser;
        this.driver = driver;
    }

    /** The browser and driver of this machine, when both are there. */
    public static Optional<Chromium> installed() {
        Optional<Path> browser = locate("CHROMIUM_BIN", BROWSERS);
        Optional<Path> driver = locate("CHROMEDRIVER_BIN", DRIVERS);
        return browser.isPresent() && driver.isPresent()
                ? Optional.of(new Chromium(browser.get(), driver.get())) : Optional.empty();
    }

    /** The installed browser, or the calling test skipped (failed on CI) with what is missing and how to install it. */
    public static Chromium requireBrowser() {
        Optional<Chromium> found = installed();
        if (found.isEmpty()) {
            String missing = "browser tests need Chromium and chromedriver (looked for $CHROMIUM_BIN or " + BROWSERS
                    + ", $CHROMEDRIVER_BIN or " + DRIVERS + "): " + INSTALL;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(missing + " (CI=true: .ci/run installs them, so a missing browser is a failure)");
            }
            // Surefire's summary counts skips without their reason: say it once where the build's output shows it
            if (!TOLD.getAndSet(true)) {
                System.err.println("Skipping browser tests: " + missing);
            }
            Assumptions.abort(missing);
        }
        return found.get();
    }

    static Optional<Path> locate(String variable, List<String> candidates) {
        String named = System.getenv(variable);
        if (named != null && !named.isBlank()) {
            // a path set on purpose is used or reported, never silently replaced by a default
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    public Path browser() {
        return browser;
    }

    public Path driver() {
        return driver;
    }

    /** A new headless browser with a {@link #WIDE} window. The caller quits it. */
    public ChromeDriver start() {
        return start(WIDE);
    }

    /** A new headless browser with a window of this size, its console logged at every level. The caller quits it. */
    public ChromeDriver start(Dimension window) {
        long started = System.nanoTime();
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        ChromeDriver chrome = new ChromeDriver(service, options(window));
        // in the test output, because start-up is most of a browser test's cost on a small CI machine
        System.out.printf("headless Chromium %s up in %d ms%n", chrome.getCapabilities().getBrowserVersion(),
                (System.nanoTime() - started) / 1_000_000);
        return chrome;
    }

    ChromeOptions options(Dimension window) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--window-size=" + window.getWidth() + "," + window.getHeight(),
                // /dev/shm is small in containers, and Chromium crashes when it runs out there
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions");
        if ("root".equals(System.getProperty("user.name"))) {
            // Chromium refuses to start as root with its sandbox on; CI runs as root
            options.addArguments("--no-sandbox");
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        return options;
    }
}
