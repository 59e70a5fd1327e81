package dev.jbuild.cli;

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
        super(String.join("\n", lines), cause);
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
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
