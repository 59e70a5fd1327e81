package dev.jbuild.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream is an interactive terminal. */
final class Terminals {

    private Terminals() {}

    /**
     * Standard output alone (Java's {@code System.console()} also needs standard input to be a
     * terminal, so {@code jbuild build -o type=docker - < ctx.tar} would pass it): where
     * {@code /proc/self/fd/1} points, on Linux; {@code System.console()} elsewhere.
     */
    static boolean stdoutIsTerminal() {
        Path fd = Path.of("/proc/self/fd/1");
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
