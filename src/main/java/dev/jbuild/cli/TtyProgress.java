package dev.jbuild.cli;

import dev.jbuild.build.BuildListener;
import dev.jbuild.build.StepId;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --progress=tty}: like plain, but the latest output line of a running step is shown on one
 * status line that is redrawn in place (carriage return and erase-line), so a chatty RUN does not
 * scroll the terminal. Finished steps stay as one line each with their time or CACHED. No colours.
 * When stages run at the same time, the status line shows whichever running step spoke last, each
 * with its {@code #N}; events come from several threads, so every method synchronises.
 */
final class TtyProgress implements BuildListener {

    private static final String ERASE_LINE = "\r\u001b[K";

    private final PrintWriter err;
    private final int width;
    /** The headings ({@code #N [stage i/n] text}) of the steps running, in start order. */
    private final Map<StepId, String> running = new LinkedHashMap<>();
    /** What the status line shows now, for redrawing it after a line printed above it. */
    private String status = "";
    private boolean statusShown;
    private long lastTransferDraw;
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;

    TtyProgress(PrintWriter err, int width) {
        this.err = err;
        this.width = Math.max(20, width);
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        String heading = String.format("#%d [%s %d/%d] %s", step.number(), stage, index, steps, text);
        running.put(step, heading);
        status(heading);
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        finish(step, String.format(Locale.ROOT, "%s  %.1fs", heading(step), elapsed.toMillis() / 1000.0));
    }

    @Override
    public synchronized void stepCached(StepId step) {
        finish(step, heading(step) + "  CACHED");
    }

    @Override
    public synchronized void log(StepId step, String line) {
        status(heading(step) + " > " + line);
    }

    @Override
    public synchronized void transferProgress(String blob, boolean upload, long done, long total) {
        long now = System.nanoTime();
        if (now - lastTransferDraw < 100_000_000L && done < total) {
            return; // redraw at most ten times a second
        }
        lastTransferDraw = now;
        status(String.format("%s > %s %s %s / %s", heading(transferStep), upload ? "push" : "pull",
                ProgressPrinter.shortDigest(blob), ProgressPrinter.size(done), total < 0 ? "?" : ProgressPrinter.size(total)));
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        clearStatus();
        err.println(fit(String.format("  %s %s %s in %.1fs (%s)", how, ProgressPrinter.shortDigest(blob),
                ProgressPrinter.size(size), elapsed.toMillis() / 1000.0, ProgressPrinter.rate(size, elapsed))));
        status(status);
    }

    @Override
    public synchronized void warning(String message) {
        clearStatus();
        err.println("warning: " + message);
        status(status);
    }

    private String heading(StepId step) {
        return step == null ? "" : running.getOrDefault(step, "#" + step.number());
    }

    /** Prints a finished step's line above the status line, which then shows another running step. */
    private void finish(StepId step, String line) {
        running.remove(step);
        clearStatus();
        err.println(fit(line));
        err.flush();
        status = "";
        String latest = null;
        for (String heading : running.values()) {
            latest = heading;
        }
        if (latest != null) {
            status(latest);
        }
    }

    private void status(String line) {
        status = line;
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
