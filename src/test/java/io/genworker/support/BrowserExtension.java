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
 * One headless Chromium per test class, handed to test methods (and @BeforeAll/@BeforeEach ones) as a
 * {@code ChromeDriver} or {@code WebDriver} parameter: starting a browser costs about a second, so the tests of a class
 * share one. Each test starts with the {@link Chromium#WIDE} window (a test that resized it does not leak its size)
 * and a failed test leaves a screenshot named after it. Skipped without a browser, failed on CI
 * ({@link Chromium#requireBrowser()}).
 * <p>
 * For plain JUnit classes ({@code @ExtendWith(BrowserExtension.class)}). A {@code @QuarkusTest} runs its methods in
 * Quarkus' class loader, which parameters from other extensions do not cross cleanly: there, start the browser in a
 * static @BeforeAll with {@code Chromium.requireBrowser().start()} and quit it in @AfterAll.
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

    /**
     * Looks for the browser before any test of the class: skipping (or failing, on CI) from here skips the class,
     * where JUnit would turn the same abort during parameter resolution into a failure.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(Chromium.class, Chromium.requireBrowser());
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

    @Override
    public void beforeEach(ExtensionContext context) {
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
                key -> new Session(classStore(context).get(Chromium.class, Chromium.class).start()), Session.class)
                .driver();
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
