package dev.jbuild.progress;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.StepId;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Plain progress on standard error, one line per event, never an escape code: the format CI logs
 * want, in the spirit of BuildKit's {@code --progress=plain} ({@code #3 [build 2/5] COPY . /src}).
 * Independent stages run at the same time, so their lines interleave; every line starts with the
 * {@code #N} of its step, as in BuildKit, which keeps them attributable. Events come from several
 * threads: every method synchronises, so lines never mix.
 *
 * <p>Bytes of long work (a pull, a push, compressing or unpacking layers) are printed once the step
 * has run for {@link #PROGRESS_EVERY_NANOS} and then at most that often per step, so a quick step
 * prints none and a slow one shows it is moving.
 */
public final class ProgressPrinter implements BuildListener {

    public static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private final PrintWriter err;
    private final boolean quiet;
    private final LongSupplier clock;
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;
    /** When each running step started or last printed a progress line (clock nanos). */
    private final Map<StepId, Long> lastProgress = new HashMap<>();

    public ProgressPrinter(PrintWriter err, boolean quiet) {
        this(err, quiet, System::nanoTime);
    }

    public ProgressPrinter(PrintWriter err, boolean quiet, LongSupplier clock) {
        this.err = err;
        this.quiet = quiet;
        this.clock = clock;
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        lastProgress.put(step, clock.getAsLong());
        line(ProgressText.heading(step.number(), stage, index, steps, text));
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        lastProgress.remove(step);
        line("#" + step.number() + " DONE " + ProgressText.seconds(elapsed));
    }

    @Override
    public synchronized void stepCached(StepId step) {
        lastProgress.remove(step);
        line("#" + step.number() + " CACHED");
    }

    @Override
    public synchronized void log(StepId step, String line) {
        line("#" + step.number() + " " + line);
    }

    @Override
    public synchronized void layerWritten(StepId step, String digest, long size, String compression, long compressedSize,
            Duration elapsed) {
        line("#" + step.number() + " " + ProgressText.layer(digest, size, compression, compressedSize, elapsed));
    }

    @Override
    public synchronized void progress(StepId step, Work work, String subject, long done, long total) {
        StepId owner = step != null ? step : transferStep;
        Long last = owner == null ? null : lastProgress.get(owner);
        long now = clock.getAsLong();
        if (last == null || now - last < PROGRESS_EVERY_NANOS) {
            return;
        }
        lastProgress.put(owner, now);
        line("#" + owner.number() + " " + ProgressText.progress(work, subject, done, total));
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        // Outside a pull or push step: a registry cache's layer, downloaded when the build read it.
        line((transferStep == null ? "cache:" : "#" + transferStep.number()) + " " + how + " "
                + ProgressText.shortDigest(blob) + " " + Quantities.bytes(size) + " in " + ProgressText.seconds(elapsed)
                + (how.equals("pulled") || how.equals("pushed") ? " (" + Quantities.rate(size, elapsed) + ")" : ""));
    }

    @Override
    public synchronized void warning(String message) {
        err.println("warning: " + message);
        err.flush();
    }

    private void line(String text) {
        if (!quiet) {
            err.println(text);
            err.flush();
        }
    }

    /** The closing lines of plain and tty output: image ID, manifest, size, time, names, pushes. */
    public static void summary(PrintWriter err, BuildResult result, Duration elapsed) {
        err.printf("writing image %s (manifest %s, %d %s, %s) in %s, %d of %d steps cached%n", result.config(),
                result.manifest().digest(), result.layers(), result.layers() == 1 ? "layer" : "layers",
                Quantities.bytes(result.size()), ProgressText.seconds(elapsed), result.cached(), result.steps());
        for (String tag : result.tags()) {
            err.println("naming to " + tag);
        }
        for (String pushed : result.pushed()) {
            err.println("pushed " + pushed);
        }
        err.flush();
    }
}
