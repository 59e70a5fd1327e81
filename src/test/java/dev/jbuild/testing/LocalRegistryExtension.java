package dev.jbuild.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * One {@link LocalRegistry} for a test class, started before the first test and stopped after the
 * last; when a test fails, the end of the registry's log is attached to the failure (as a
 * suppressed exception), because the log file is gone once the registry is closed.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.withTls();
 * ... REGISTRY.registry().reference("app", "1") ...
 * }</pre>
 */
public final class LocalRegistryExtension implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {

    private final Supplier<LocalRegistry> starter;
    private LocalRegistry registry;

    private LocalRegistryExtension(Supplier<LocalRegistry> starter) {
        this.starter = starter;
    }

    public static LocalRegistryExtension plain() {
        return new LocalRegistryExtension(LocalRegistry::startPlain);
    }

    public static LocalRegistryExtension withBasicAuth() {
        return new LocalRegistryExtension(LocalRegistry::startWithBasicAuth);
    }

    public static LocalRegistryExtension withTls() {
        return new LocalRegistryExtension(LocalRegistry::startWithTls);
    }

    public static LocalRegistryExtension withTlsAndBasicAuth() {
        return new LocalRegistryExtension(LocalRegistry::startWithTlsAndBasicAuth);
    }

    /** The running registry; only between the class's first and last test. */
    public LocalRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("the registry runs only while the test class runs"
                    + " (register the extension on a static field)");
        }
        return registry;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        registry = starter.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (registry != null) {
            failure.addSuppressed(new RegistryLog(registry.logForFailure()));
        }
        throw failure;
    }

    /** Carries the registry log into the test report; not an error of its own. */
    private static final class RegistryLog extends Exception {
        RegistryLog(String log) {
            super(log, null, false, false);
        }
    }
}
