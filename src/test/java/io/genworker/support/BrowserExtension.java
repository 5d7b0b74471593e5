package io.genworker.support;

import java.util.Optional;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * One headless Chromium per test class, handed to test methods (and @BeforeEach ones) as a {@code ChromeDriver} or
 * {@code WebDriver} parameter: starting a browser costs about a second, so the tests of a class
 * share one. Each test starts with the {@link Chromium#WIDE} window (a test that resized it does not leak its size)
 * and a failed test leaves a screenshot named after it. Skipped without a browser, failed on CI
 * ({@link Chromium#requireBrowser()}).
 * <p>
 * Used as {@code @ExtendWith(BrowserExtension.class)}, on plain JUnit classes and on {@code @QuarkusTest} ones alike
 * (tried: the driver reaches a Quarkus test method and opens the worker's pages). A class that wants its own
 * browser, say a narrow one from the start, calls {@code Chromium.requireBrowser().start(Chromium.NARROW)} in a static
 * @BeforeAll and quits it in @AfterAll.
 */
public final class BrowserExtension implements BeforeAllCallback, ParameterResolver, BeforeEachCallback,
        AfterTestExecutionCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(BrowserExtension.class);

    /** Quit when the class's store closes, after its last test. */
    private record Session(ChromeDriver driver) implements AutoCloseable {

        @Override
        public void close() {
            driver.quit();
        }
    }

    /** On CI a missing browser fails the class at once; elsewhere each test is skipped with the reason. */
    @Override
    public void beforeAll(ExtensionContext context) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Chromium.requireBrowser();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == ChromeDriver.class || type == WebDriver.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return driver(context);
    }

    /**
     * Skips here, test by test, rather than in beforeAll: Surefire reports a class skipped from beforeAll as no test
     * at all, reason unshown, and JUnit turns a skip during parameter resolution into a failure.
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        Chromium.requireBrowser();
        started(context).ifPresent(driver -> driver.manage().window().setSize(Chromium.WIDE));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            started(context).ifPresent(driver -> BrowserEvidence.screenshot(driver,
                    context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName()
                            + "-failed"));
        }
    }

    private static ChromeDriver driver(ExtensionContext context) {
        return classStore(context).computeIfAbsent(Session.class,
                key -> new Session(Chromium.requireBrowser().start()), Session.class).driver();
    }

    private static Optional<ChromeDriver> started(ExtensionContext context) {
        return Optional.ofNullable(classStore(context).get(Session.class, Session.class))
                .map(Session::driver);
    }

    /** The store of the test class (not of the method), so one browser serves every test of the class. */
    private static ExtensionContext.Store classStore(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE);
    }
}
