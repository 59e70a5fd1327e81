package dev.jbuild.cli;

import dev.jbuild.build.BuildListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code --progress=tty}: like plain, but the running step's latest output line is shown on one
 * status line that is redrawn in place (carriage return and erase-line), so a chatty RUN does not
 * scroll the terminal. Finished steps stay as one line each with their time or CACHED. No colours.
 */
final class TtyProgress implements BuildListener {

    private static final String ERASE_LINE = "\r\u001b[K";

    private final PrintWriter err;
    private final int width;
    private int step;
    private String current = "";
    private boolean statusShown;
    private long lastTransferDraw;

    TtyProgress(PrintWriter err, int width) {
        this.err = err;
        this.width = Math.max(20, width);
    }

    @Override
    public synchronized void stepStarted(String stage, int index, int steps, String text) {
        step++;
        current = String.format("#%d [%s %d/%d] %s", step, stage, index, steps, text);
        status(current);
    }

    @Override
    public synchronized void stepFinished(Duration elapsed) {
        finish(String.format(Locale.ROOT, "%s  %.1fs", current, elapsed.toMillis() / 1000.0));
    }

    @Override
    public synchronized void stepCached() {
        finish(current + "  CACHED");
    }

    @Override
    public synchronized void log(String line) {
        status(current + " > " + line);
    }

    @Override
    public synchronized void transferProgress(String blob, boolean upload, long done, long total) {
        long now = System.nanoTime();
        if (now - lastTransferDraw < 100_000_000L && done < total) {
            return; // redraw at most ten times a second
        }
        lastTransferDraw = now;
        status(String.format("%s > %s %s %s / %s", current, upload ? "push" : "pull", ProgressPrinter.shortDigest(blob),
                ProgressPrinter.size(done), total < 0 ? "?" : ProgressPrinter.size(total)));
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        clearStatus();
        err.println(fit(String.format("  %s %s %s in %.1fs (%s)", how, ProgressPrinter.shortDigest(blob),
                ProgressPrinter.size(size), elapsed.toMillis() / 1000.0, ProgressPrinter.rate(size, elapsed))));
        status(current);
    }

    @Override
    public synchronized void warning(String message) {
        clearStatus();
        err.println("warning: " + message);
        status(current);
    }

    private void finish(String line) {
        clearStatus();
        err.println(fit(line));
        err.flush();
    }

    private void status(String line) {
        err.print(ERASE_LINE + fit(line));
        err.flush();
        statusShown = true;
    }

    private void clearStatus() {
        if (statusShown) {
            err.print(ERASE_LINE);
            statusShown = false;
        }
    }

    /** One terminal line: longer text is cut, tabs and control characters become spaces. */
    private String fit(String line) {
        String clean = line.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() <= width ? clean : clean.substring(0, width - 1) + "…";
    }
}
