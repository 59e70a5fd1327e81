package dev.jbuild.cli;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's size for the tty progress view: {@code COLUMNS}/{@code LINES} when the shell
 * exports them, else what {@code stty size} says about {@code /dev/tty}, else 80×24.
 */
record TerminalSize(int columns, int rows) {

    static final TerminalSize DEFAULT = new TerminalSize(80, 24);

    static TerminalSize detect() {
        TerminalSize stty = stty();
        return new TerminalSize(positive(System.getenv("COLUMNS"), stty.columns()), positive(System.getenv("LINES"), stty.rows()));
    }

    private static int positive(String value, int otherwise) {
        try {
            int n = value == null ? 0 : Integer.parseInt(value.trim());
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** {@code rows columns} from {@code stty size < /dev/tty}: the JDK has no call for it. */
    private static TerminalSize stty() {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return DEFAULT;
            }
            String[] parts = out.split("\\s+");
            int rows = Integer.parseInt(parts[0]);
            int columns = Integer.parseInt(parts[1]);
            return rows > 0 && columns > 0 ? new TerminalSize(columns, rows) : DEFAULT;
        } catch (IOException | RuntimeException e) {
            return DEFAULT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT;
        }
    }
}
