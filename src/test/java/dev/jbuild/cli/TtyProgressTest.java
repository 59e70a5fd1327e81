package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tty view, driven by a scripted sequence of events into {@link FakeTerminal}, which applies
 * the escape sequences to a screen; and once for real, under a pseudo-terminal.
 */
class TtyProgressTest {

    private static final long MS = 1_000_000L;

    /** The printer, its output as the terminal shows it, and a clock the script moves. */
    private static final class Rig {
        final StringWriter bytes = new StringWriter();
        final AtomicLong now = new AtomicLong(1_000 * MS);
        final TtyProgress tty;
        final FakeTerminal terminal;
        private int consumed;

        Rig(int columns, int rows) {
            tty = new TtyProgress(new PrintWriter(bytes, true), columns, rows, now::get, false);
            terminal = new FakeTerminal(columns);
        }

        /** Moves the clock on, then feeds what was written so far to the terminal. */
        void after(long millis) {
            now.addAndGet(millis * MS);
            sync();
        }

        void sync() {
            String all = bytes.toString();
            terminal.write(all.substring(consumed));
            consumed = all.length();
        }

        List<String> screen() {
            sync();
            return terminal.screen();
        }
    }

    /** {@code text}, then {@code suffix} ending in the column before the last of a {@code columns}-wide terminal. */
    private static String edge(String text, String suffix, int columns) {
        return text + " ".repeat(columns - 1 - text.length() - suffix.length()) + suffix;
    }

    @Test
    void parallelStepsEachHaveALiveLineAndFinishedOnesScrollAboveInOrderOfFinishing() {
        Rig rig = new Rig(60, 24);
        StepId left = new StepId(1);
        StepId right = new StepId(2);
        rig.tty.stepStarted(left, "left", 1, 2, "RUN make all");
        rig.after(200);
        rig.tty.stepStarted(right, "right", 1, 1, "RUN ./configure --prefix=/usr/local --enable-everything-there-is");
        rig.after(200);
        rig.tty.log(left, "cc -c a.c");
        rig.after(200);
        rig.tty.log(right, "checking for gcc... gcc");
        rig.after(200);
        rig.tty.log(left, "cc -c b.c\twith a tab and \u001b[31mcolour\u001b[0m");
        rig.after(300);
        rig.tty.tick();
        assertEquals(List.of(
                edge("#1 [left 1/2] RUN make all", "1.1s", 60),
                "  > cc -c b.c with a tab and colour",
                edge("#2 [right 1/1] RUN ./configure --prefix=/usr/local -…", "0.9s", 60),
                "  > checking for gcc... gcc"), rig.screen(), "one line per running step, its time and latest output");

        rig.tty.stepFinished(right, Duration.ofMillis(1_200));
        rig.after(10);
        rig.tty.warning("something to know");
        rig.after(150);
        StepId copy = new StepId(3);
        rig.tty.stepStarted(copy, "left", 2, 2, "COPY --from=right /out /out");
        rig.after(150);
        rig.tty.progress(copy, BuildListener.Work.COMPRESS, "layer", 52_100_000, 157_000_000);
        rig.after(150);
        rig.tty.stepFinished(left, Duration.ofMillis(2_400));
        rig.after(150);
        rig.tty.tick();
        assertEquals(List.of(
                edge("#2 [right 1/1] RUN ./configure --prefix=/usr/local -…", "1.2s", 60),
                "warning: something to know",
                edge("#1 [left 1/2] RUN make all", "2.4s", 60),
                edge("#3 [left 2/2] COPY --from=right /out /out", "0.5s", 60),
                "  > compressing layer 52.1 MB / 157 MB"), rig.screen(),
                "finished steps once each, in the order they finished; the live area below");

        rig.tty.stepCached(copy);
        rig.tty.buildEnded(null);
        List<String> end = rig.screen();
        assertEquals(edge("#3 [left 2/2] COPY --from=right /out /out", "CACHED", 60), end.get(end.size() - 1));
        assertEquals(4, end.size(), "nothing is left of the live area: " + end);
        for (String line : end) {
            assertTrue(line.length() < 60, "never as wide as the terminal: " + line);
        }
    }

    @Test
    void anErrorStartsAtColumnZeroAfterTheStepsThatWereRunningWithTheirLastOutput() {
        Rig rig = new Rig(50, 24);
        StepId run = new StepId(1);
        rig.tty.stepStarted(run, "", 1, 1, "RUN false");
        rig.after(150);
        rig.tty.log(run, "about to fail");
        rig.after(150);
        rig.tty.log(run, "failing now");
        // No time passes: the second line is not drawn yet (rate limit), but it is kept for the end.
        rig.tty.buildEnded("RUN failed: exit code 1");
        rig.sync();
        assertEquals(0, rig.terminal.cursorColumn(), "the error starts on a line of its own");
        // As ErrorReporter prints it, on the same stream.
        rig.terminal.write("error: RUN failed: exit code 1\n");
        assertEquals(List.of(
                edge("#1 [1/1] RUN false", "0.3s stopped", 50),
                "  > about to fail",
                "  > failing now",
                "error: RUN failed: exit code 1"), rig.screen());
    }

    @Test
    void redrawsAreBoundedInRate() {
        Rig rig = new Rig(80, 24);
        StepId run = new StepId(1);
        rig.tty.stepStarted(run, "", 1, 1, "RUN yes | head -n 100000");
        for (int i = 0; i < 1_000; i++) {
            rig.now.addAndGet(MS); // a line every millisecond for a second
            rig.tty.log(run, "y " + i);
        }
        long redraws = rig.bytes.toString().chars().filter(c -> c == 'A').count();
        assertTrue(redraws <= 11, "at most one redraw per 100 ms: " + redraws);
        rig.after(100);
        rig.tty.tick();
        assertEquals(List.of(edge("#1 [1/1] RUN yes | head -n 100000", "1.1s", 80),
                "  > y 999"), rig.screen(), "the ticker shows the latest line");
    }

    @Test
    void moreRunningStepsThanRowsAreSummarised() {
        Rig rig = new Rig(40, 6); // room for 4 live lines
        for (int i = 1; i <= 6; i++) {
            rig.tty.stepStarted(new StepId(i), "s" + i, 1, 1, "RUN step " + i);
        }
        rig.after(100);
        rig.tty.tick();
        assertEquals(List.of("  … 3 more steps running",
                edge("#4 [s4 1/1] RUN step 4", "0.1s", 40),
                edge("#5 [s5 1/1] RUN step 5", "0.1s", 40),
                edge("#6 [s6 1/1] RUN step 6", "0.1s", 40)), rig.screen());
    }

    /** A real build with {@code --progress=auto} under script(1)'s pseudo-terminal: the tty view is chosen and shows the steps. */
    @Integration
    @Test
    void aBuildOnAPseudoTerminalShowsItsSteps(@TempDir Path temp) throws Exception {
        Files.writeString(temp.resolve("a.txt"), "a\n");
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch\nARG A=1\nCOPY a.txt /\nENV X=1\nCOPY a.txt /b.txt\n");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String command = "stty cols 70 rows 20 2>/dev/null; " + ExternalTool.shellQuoted(List.of(java, "-cp", classpath,
                "dev.jbuild.cli.Main", "--root", temp.resolve("store").toString(), temp.toString()));
        ExternalTool.Result result = ExternalTool.command("script", "-qfc", command, "/dev/null")
                .env("TERM", "xterm").withoutEnv("CI").withoutEnv("COLUMNS").withoutEnv("LINES").runSuccessfully();
        // script(1) turns LF into CR LF on the way out of the pseudo-terminal.
        String output = result.stdout().replace("\r\n", "\n");
        FakeTerminal terminal = new FakeTerminal(70);
        terminal.write(output);
        List<String> screen = terminal.screen();
        assertTrue(output.contains("\u001b[J"), "the live area is redrawn in place: " + FakeTerminal.printable(output));
        assertTrue(screen.get(0).matches("#1 \\[1/2] COPY a.txt / +\\d+\\.\\ds"), screen.toString());
        assertTrue(screen.get(1).matches("#2 \\[2/2] COPY a.txt /b.txt +\\d+\\.\\ds"), screen.toString());
        assertTrue(screen.get(2).startsWith("writing image sha256:"), "the summary starts on its own line: " + screen);
        for (String line : screen.subList(0, 2)) {
            assertTrue(line.length() < 70, "no progress line is wider than the terminal (stty size): " + line);
        }
        assertEquals(69, screen.get(0).length(), "the time is at the right edge of a 70-column terminal: " + screen);
    }
}
