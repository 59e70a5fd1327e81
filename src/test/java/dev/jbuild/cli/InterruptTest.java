package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
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

    /** Builds {@code dockerfile}, sends SIGINT once {@code runs} output lines "started..." appeared, checks the aftermath. */
    private void interruptAfter(String dockerfile, String marker, int runs) throws Exception {
        BusyboxImage busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        Path store = temp.resolve("store");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(java, "-cp", classpath, "dev.jbuild.cli.Main", "--root", store.toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "--progress=plain",
                context.toString())
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            int started = 0;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.matches("#\\d+ started.*") && ++started == runs) {
                    break;
                }
            }
            assertEquals(runs, started, output.toString());
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
        // The store still works: the next build uses it.
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo again > /again\n");
        Process next = new ProcessBuilder(java, "-cp", classpath, "dev.jbuild.cli.Main", "--root", store.toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "-q", context.toString())
                .redirectErrorStream(true).start();
        String nextOutput = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(next.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, next.exitValue(), nextOutput);
    }
}
