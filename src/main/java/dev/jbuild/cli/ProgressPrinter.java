package dev.jbuild.cli;

import dev.jbuild.build.BuildListener;
import dev.jbuild.build.BuildResult;
import dev.jbuild.build.StepId;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Plain progress on standard error, one line per event, never an escape code: the format CI logs
 * want, in the spirit of BuildKit's {@code --progress=plain} ({@code #3 [build 2/5] COPY . /src}).
 * Independent stages run at the same time, so their lines interleave; every line starts with the
 * {@code #N} of its step, as in BuildKit, which keeps them attributable. Events come from several
 * threads: every method synchronises, so lines never mix.
 */
final class ProgressPrinter implements BuildListener {

    private final PrintWriter err;
    private final boolean quiet;
    private final long started = System.nanoTime();
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;

    ProgressPrinter(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        if (!quiet) {
            err.printf("#%d [%s %d/%d] %s%n", step.number(), stage, index, steps, text);
            err.flush();
        }
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        if (!quiet) {
            err.printf("#%d DONE %s%n", step.number(), seconds(elapsed));
            err.flush();
        }
    }

    @Override
    public synchronized void stepCached(StepId step) {
        if (!quiet) {
            err.printf("#%d CACHED%n", step.number());
            err.flush();
        }
    }

    @Override
    public synchronized void log(StepId step, String line) {
        if (!quiet) {
            err.printf("#%d %s%n", step.number(), line);
        }
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        if (!quiet) {
            // Outside a pull or push step: a registry cache's layer, downloaded when the build read it.
            err.printf("%s %s %s %s in %s%s%n", transferStep == null ? "cache:" : "#" + transferStep.number(), how,
                    shortDigest(blob), size(size), seconds(elapsed),
                    how.equals("pulled") || how.equals("pushed") ? " (" + rate(size, elapsed) + ")" : "");
            err.flush();
        }
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, Math.min(digest.length(), colon + 13));
    }

    static String rate(long bytes, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos() / 1e9, 0.001);
        return size((long) (bytes / seconds)) + "/s";
    }

    @Override
    public synchronized void warning(String message) {
        err.println("warning: " + message);
        err.flush();
    }

    synchronized void summary(BuildResult result) {
        summary(err, result, Duration.ofNanos(System.nanoTime() - started));
    }

    /** The closing lines of plain and tty output: image ID, manifest, size, time, names, pushes. */
    static void summary(PrintWriter err, BuildResult result, Duration elapsed) {
        err.printf("writing image %s (manifest %s, %d layers, %s) in %s, %d of %d steps cached%n", result.config(),
                result.manifest().digest(), result.layers(), size(result.size()), seconds(elapsed), result.cached(), result.steps());
        for (String tag : result.tags()) {
            err.println("naming to " + tag);
        }
        for (String pushed : result.pushed()) {
            err.println("pushed " + pushed);
        }
        err.flush();
    }

    private static String seconds(Duration elapsed) {
        return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
