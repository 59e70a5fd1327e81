package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.store.BuildRecords;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C in the middle of a RUN: the command dies, scratch files go, the exit code is 130. */
@Integration
class InterruptTest {

    @TempDir
    Path temp;

    @Test
    void sigintStopsARunningStepAndCleansUp() throws Exception {
        String marker = "jbuild-interrupt-" + System.nanoTime();
        interruptAfter("FROM busybox\nRUN echo started && sleep 300 && echo " + marker + "\n", marker, 1);
    }

    /** Two stages running at once: both RUNs are killed, and the exit is as clean as with one. */
    @Test
    void sigintStopsParallelStagesAndCleansUp() throws Exception {
        String marker = "jbuild-interrupt-" + System.nanoTime();
        interruptAfter("FROM busybox AS a\nRUN echo started-a && sleep 300 && echo " + marker + "\n"
                + "FROM busybox AS b\nRUN echo started-b && sleep 300 && echo " + marker + "\n"
                + "FROM busybox\nCOPY --from=a /etc/hostname /a\nCOPY --from=b /etc/hostname /b\n", marker, 2);
    }

    /**
     * SIGKILL leaves jbuild no chance to clean up; the sandbox agent notices that its caller is gone
     * (its stdin closes) and takes the RUN's processes with it.
     */
    @Test
    void sigkillOfJbuildEndsTheRunningStepToo() throws Exception {
        String marker = "jbuild-killed-" + System.nanoTime();
        Process process = startBuild("FROM busybox\nRUN echo started && sleep 300 && echo " + marker + "\n");
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals(1, awaitStarted(lines, 1, output), output.toString());
            ExternalTool.command("kill", "-KILL", Long.toString(process.pid())).runSuccessfully();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ExternalTool.command("ps", "-eo", "args").runSuccessfully().stdout().contains(marker)) {
            assertTrue(System.nanoTime() < deadline, "the RUN outlived jbuild by 20 s:\n" + output);
            Thread.sleep(100);
        }
    }

    private Path store;
    private Path context;
    private BusyboxImage busybox;

    /** Starts {@code jbuild build} of {@code dockerfile} in another JVM, output and errors in one stream. */
    private Process startBuild(String dockerfile) throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        store = temp.resolve("store");
        return new ProcessBuilder(java(), "-cp", classpath(), "dev.jbuild.cli.Main", "--root", store.toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "--progress=plain",
                context.toString())
                .redirectErrorStream(true).start();
    }

    /** Reads progress until {@code runs} RUN steps printed their "started..." line; returns how many did. */
    private static int awaitStarted(BufferedReader lines, int runs, StringBuilder output) throws Exception {
        String line;
        int started = 0;
        while (started < runs && (line = lines.readLine()) != null) {
            output.append(line).append('\n');
            if (line.matches("#\\d+ started.*")) {
                started++;
            }
        }
        return started;
    }

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Builds {@code dockerfile}, sends SIGINT once {@code runs} output lines "started..." appeared, checks the aftermath. */
    private void interruptAfter(String dockerfile, String marker, int runs) throws Exception {
        Process process = startBuild(dockerfile);
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals(runs, awaitStarted(lines, runs, output), output.toString());
            ExternalTool.command("kill", "-INT", Long.toString(process.pid())).runSuccessfully();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "jbuild stops promptly after SIGINT");
            lines.lines().forEach(l -> output.append(l).append('\n'));
        } finally {
            process.destroyForcibly();
        }
        assertEquals(130, process.exitValue(), output.toString());
        String processes = ExternalTool.command("ps", "-eo", "args").runSuccessfully().stdout();
        assertTrue(processes.lines().noneMatch(p -> p.contains(marker)), "the RUN's processes are gone");
        try (var tmp = Files.list(store.resolve("tmp"))) {
            List<Path> left = tmp.toList();
            assertEquals(List.of(), left, "no scratch files are left");
        }
        // The build record says it was interrupted: the stop waits for the record as for the cleanup.
        BuildRecords.Reading recorded = Store.open(store).buildRecords().read();
        assertEquals(1, recorded.entries().size(), output.toString());
        assertEquals(new BuildRecords.Reading(recorded.entries(), 0), recorded);
        assertEquals(ExitCodes.INTERRUPTED, recorded.entries().get(0).record().outcome().exitCode(), recorded.entries().get(0).line());
        // The store still works: the next build uses it.
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo again > /again\n");
        Process next = new ProcessBuilder(java(), "-cp", classpath(), "dev.jbuild.cli.Main", "--root", store.toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "-q", context.toString())
                .redirectErrorStream(true).start();
        String nextOutput = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(next.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, next.exitValue(), nextOutput);
    }
}
