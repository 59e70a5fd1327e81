package dev.jbuild.progress;

import dev.jbuild.registry.RegistryListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The registry client's retries and warnings as {@code warning:} lines, for commands without a
 * progress display (pull, push, login). With one, {@link TransferProgress} sends the same lines
 * through it, so each event is one line in jbuild's format whichever command runs.
 */
public final class RegistryWarnings implements RegistryListener {

    private final PrintWriter err;

    public RegistryWarnings(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void retrying(String operation, int attempt, Duration delay, String reason) {
        warning(retryLine(operation, attempt, delay, reason));
    }

    @Override
    public void warning(String message) {
        // Transfers run on several threads: one whole line at a time.
        synchronized (err) {
            err.println("warning: " + message);
            err.flush();
        }
    }

    /** {@code pulling manifest x failed: GET https://…/v2/: connection refused; attempt 2 in 0.3 s}. */
    public static String retryLine(String operation, int attempt, Duration delay, String reason) {
        return operation + " failed: " + reason + "; attempt " + attempt + " in "
                + String.format(Locale.ROOT, "%.1f s", delay.toMillis() / 1000.0);
    }
}
