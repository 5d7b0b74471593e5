package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * What a browser test keeps or checks besides the page: screenshots (under target/browser-screenshots/, for a person
 * to look at after a run) and the browser's console, where script errors and Content-Security-Policy refusals show
 * up, so a test can assert that a page ran no script or raised no error.
 */
public final class BrowserEvidence {

    public static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");

    private BrowserEvidence() {
    }

    /** Saves the page as it is now to target/browser-screenshots/{name}.png and returns the file. */
    public static Path screenshot(WebDriver driver, String name) {
        Path file = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * The console messages since the last call (chromedriver hands each out once): console.log and friends, uncaught
     * errors, refused scripts and failed loads, each as "LEVEL message".
     */
    public static List<String> console(WebDriver driver) {
        return entries(driver).stream().map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    /** The console's errors since the last read: uncaught script errors, CSP refusals, failed loads. */
    public static List<String> errors(WebDriver driver) {
        return entries(driver).stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private static List<LogEntry> entries(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }
}
