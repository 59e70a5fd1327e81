package dev.jbuild.cli;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.progress.ProgressEnd;
import dev.jbuild.progress.ProgressText;
import dev.jbuild.progress.Quantities;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@code --progress=tty}, BuildKit's view: finished steps scroll above, each printed once when it
 * finishes ({@code #2 [2/3] COPY . /src    0.4s}, or {@code CACHED}); below them a live area with one
 * line per running step, its elapsed time at the right, and under it the step's latest output line
 * (or bytes done of a pull, push, compression or unpacking). The live area is redrawn in place
 * (cursor up, erase to the end of the screen) at most every {@link #REDRAW_NANOS}, and a ticker
 * redraws it that often so that the times move while a step is silent. No line is wider than the
 * terminal (one column is left free: writing the last column makes some terminals wrap). Anything
 * printed above the live area (a finished step, a warning) erases it first, and when the build ends
 * the live area is erased before the summary or the error, which so always start on a line of their own;
 * a failed build leaves its unfinished steps with their last output lines. No colours.
 *
 * <p>Events come from several threads (stages run at once) and the ticker: every method synchronises.
 */
final class TtyProgress implements BuildListener, ProgressEnd {

    static final long REDRAW_NANOS = 100_000_000L;
    /** Output lines kept per running step, shown when the build fails while it runs. */
    private static final int TAIL_LINES = 10;
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\\\-_]");

    private final PrintWriter err;
    private final int width;
    private final int maxLiveLines;
    private final LongSupplier clock;
    private final ScheduledExecutorService ticker;
    private final Map<StepId, Running> running = new LinkedHashMap<>();
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;
    /** How many lines the live area takes on the screen now; the cursor is at the start of the line below it. */
    private int drawn;
    private long lastDraw;
    private boolean ended;

    private static final class Running {
        final String heading;
        final long started;
        String latest = "";
        final Deque<String> tail = new ArrayDeque<>();

        Running(String heading, long started) {
            this.heading = heading;
            this.started = started;
        }
    }

    /** For a real terminal: its size as {@link TerminalSize} finds it, the system clock, a ticker. */
    static TtyProgress forTerminal(PrintWriter err) {
        TerminalSize size = TerminalSize.detect();
        TtyProgress tty = new TtyProgress(err, size.columns(), size.rows(), System::nanoTime, true);
        return tty;
    }

    /** {@code ticking}: start a daemon thread that redraws every {@link #REDRAW_NANOS} (tests drive {@link #tick} themselves). */
    TtyProgress(PrintWriter err, int columns, int rows, LongSupplier clock, boolean ticking) {
        this.err = err;
        this.width = Math.max(20, columns) - 1;
        this.maxLiveLines = Math.max(3, rows - 2);
        this.clock = clock;
        this.lastDraw = clock.getAsLong() - REDRAW_NANOS;
        if (ticking) {
            ticker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "jbuild-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::tick, REDRAW_NANOS, REDRAW_NANOS, TimeUnit.NANOSECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        running.put(step, new Running(ProgressText.heading(step.number(), stage, index, steps, text), clock.getAsLong()));
        redraw(false);
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        Running done = running.remove(step);
        above(rightAligned(done == null ? "#" + step.number() : done.heading, ProgressText.seconds(elapsed)));
    }

    @Override
    public synchronized void stepCached(StepId step) {
        Running done = running.remove(step);
        above(rightAligned(done == null ? "#" + step.number() : done.heading, "CACHED"));
    }

    @Override
    public synchronized void log(StepId step, String line) {
        latest(step, line, true);
    }

    @Override
    public synchronized void layerWritten(StepId step, String digest, long size, String compression, long compressedSize,
            Duration elapsed) {
        latest(step, ProgressText.layer(digest, size, compression, compressedSize, elapsed), true);
    }

    @Override
    public synchronized void progress(StepId step, Work work, String subject, long done, long total) {
        latest(step != null ? step : transferStep, ProgressText.progress(work, subject, done, total), false);
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        latest(transferStep, how + " " + ProgressText.shortDigest(blob) + " " + Quantities.bytes(size) + " in "
                + ProgressText.seconds(elapsed), true);
    }

    @Override
    public synchronized void warning(String message) {
        above("warning: " + message);
    }

    /** Redraws the live area if it is due: the ticker calls this, so elapsed times move. */
    synchronized void tick() {
        if (!ended && !running.isEmpty()) {
            redraw(false);
        }
    }

    @Override
    public synchronized void buildEnded(String error) {
        if (ended) {
            return;
        }
        ended = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        erase();
        if (error != null) {
            // What was running when the build failed, with its last output: the failing RUN's error text.
            long now = clock.getAsLong();
            for (Running step : running.values()) {
                err.println(fit(rightAligned(step.heading, ProgressText.seconds(Duration.ofNanos(now - step.started)) + " stopped")));
                for (String line : step.tail) {
                    err.println(fit("  > " + line));
                }
            }
        }
        running.clear();
        err.flush();
    }

    private void latest(StepId step, String line, boolean keep) {
        Running target = step == null ? null : running.get(step);
        if (target == null) {
            return; // a registry cache's blob read outside any step: nothing to attach it to
        }
        String clean = clean(line);
        target.latest = clean;
        if (keep) {
            target.tail.addLast(clean);
            if (target.tail.size() > TAIL_LINES) {
                target.tail.removeFirst();
            }
        }
        redraw(false);
    }

    /** Prints {@code line} once, above the live area, which is drawn again below it. */
    private void above(String line) {
        if (ended) {
            err.println(fit(line));
            err.flush();
            return;
        }
        erase();
        err.println(fit(line));
        redraw(true);
    }

    /** Draws the live area again, unless one was drawn less than {@link #REDRAW_NANOS} ago ({@code now}: always). */
    private void redraw(boolean now) {
        if (ended) {
            return;
        }
        long time = clock.getAsLong();
        if (!now && time - lastDraw < REDRAW_NANOS) {
            return; // the ticker draws what changed
        }
        lastDraw = time;
        List<String> lines = liveLines(time);
        StringBuilder frame = new StringBuilder();
        if (drawn > 0) {
            frame.append("\r\u001b[").append(drawn).append("A\u001b[J");
        }
        for (String line : lines) {
            frame.append(line).append('\n');
        }
        err.print(frame);
        err.flush();
        drawn = lines.size();
    }

    private List<String> liveLines(long now) {
        List<String> lines = new ArrayList<>();
        int budget = maxLiveLines;
        List<Running> steps = new ArrayList<>(running.values());
        // With more running steps than room, the ones started last are shown, as a summary line says.
        int hidden = Math.max(0, steps.size() - budget + (steps.size() > budget ? 1 : 0));
        if (hidden > 0) {
            lines.add(fit("  … " + hidden + " more step" + (hidden == 1 ? "" : "s") + " running"));
            steps = steps.subList(hidden, steps.size());
        }
        int room = budget - lines.size() - steps.size(); // lines left for output under the steps
        for (Running step : steps) {
            lines.add(fit(rightAligned(step.heading, ProgressText.seconds(Duration.ofNanos(now - step.started)))));
            if (!step.latest.isEmpty() && room > 0) {
                lines.add(fit("  > " + step.latest));
                room--;
            }
        }
        return lines;
    }

    private void erase() {
        if (drawn > 0) {
            err.print("\r\u001b[" + drawn + "A\u001b[J");
            drawn = 0;
        }
    }

    /** {@code text}, cut to leave room, then {@code suffix} at the right edge. */
    private String rightAligned(String text, String suffix) {
        String left = fit(clean(text), width - suffix.length() - 2);
        return left + " ".repeat(Math.max(2, width - left.length() - suffix.length())) + suffix;
    }

    private String fit(String line) {
        return fit(clean(line), width);
    }

    private static String fit(String clean, int room) {
        if (clean.length() <= room) {
            return clean;
        }
        return room <= 1 ? clean.substring(0, Math.max(0, room)) : clean.substring(0, room - 1) + "…";
    }

    /** One terminal line: the output's own escape sequences dropped, tabs and other control characters as spaces. */
    private static String clean(String line) {
        return ANSI.matcher(line).replaceAll("").replaceAll("\\p{Cntrl}", " ");
    }
}
