package dev.jbuild.cli;

import dev.jbuild.store.FileErrors;
import java.util.List;

/**
 * A failure already worded for the user: printed as is, no stack trace, with its exit code.
 * Commands turn domain exceptions into this at the boundary (see {@link Diagnostics}).
 */
final class CliFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final List<String> lines;

    CliFailure(int exitCode, List<String> lines, Throwable cause) {
        super(String.join("\n", withReason(lines, cause)), cause);
        this.exitCode = exitCode;
        this.lines = withReason(lines, cause);
    }

    /** A first line that ends in the bare path of a file error gets its reason ("…/index.json.lock: permission denied"). */
    private static List<String> withReason(List<String> lines, Throwable cause) {
        if (lines.isEmpty() || cause == null) {
            return List.copyOf(lines);
        }
        List<String> worded = new java.util.ArrayList<>(lines);
        worded.set(0, FileErrors.withReason(lines.get(0), cause));
        return List.copyOf(worded);
    }

    CliFailure(int exitCode, String message) {
        this(exitCode, List.of(message), null);
    }

    int exitCode() {
        return exitCode;
    }

    List<String> lines() {
        return lines;
    }
}
