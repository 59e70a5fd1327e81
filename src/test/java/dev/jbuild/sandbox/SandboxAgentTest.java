package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.layer.Compression;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent per sandbox: runs reuse it, run at the same time in it with their own output, are cancelled one
 * by one, survive its death (the next call starts another) and end with it on close.
 */
@Integration
class SandboxAgentTest {

    @TempDir
    Path temp;

    private Sandbox sandbox;
    private Rootfs rootfs;

    @BeforeEach
    void openSandbox() throws Exception {
        sandbox = Sandbox.open(SandboxOptions.defaults(temp.resolve("work")).withSnapshotter(Snapshotter.OVERLAY));
        Path base = temp.resolve("base");
        sandbox.unpack(base, List.of(new Sandbox.LayerBlob(BusyboxBase.writeTar(temp.resolve("base.tar")), null,
                null)));
        rootfs = Rootfs.of(base);
    }

    @AfterEach
    void closeSandbox() throws Exception {
        if (sandbox != null) {
            sandbox.delete(temp.resolve("base"));
            sandbox.close();
        }
    }

    /** A hostile layer's error reaches the caller as its message, without the agent's exception class. */
    @Test
    void aLayerTheAgentRefusesIsReportedInItsOwnWords() throws Exception {
        Path tar = temp.resolve("hostile.tar");
        try (var out = Files.newOutputStream(tar)) {
            new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)).write(List.of(
                    new LayerEntry.Hardlink("hlo", BusyboxBase.attrs(0644, 0, 0), "missing/file")), out);
        }
        SandboxException e = assertThrows(SandboxException.class,
                () -> sandbox.unpack(temp.resolve("hostile"), List.of(new Sandbox.LayerBlob(tar, null, null))));
        assertTrue(e.getMessage().contains("hard link hlo points to missing/file, which does not exist in the root"),
                e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    @Test
    void theProbeTheUnpackAndEveryRunShareOneAgent() throws Exception {
        long pid = sandbox.agentPid();
        for (int i = 0; i < 3; i++) {
            try (RunResult r = sandbox.run(rootfs, Scenarios.sh("echo " + i + " > /f"), OutputListener.discard())) {
                assertEquals(0, r.exitCode());
                assertEquals(1, r.changes().size(), r.changes().toString());
            }
        }
        assertEquals(1, sandbox.agentStarts());
        assertEquals(pid, sandbox.agentPid());
    }

    @Test
    void concurrentRunsGetTheirOwnOutput() throws Exception {
        int runs = 4;
        List<CompletableFuture<List<String>>> results = new ArrayList<>();
        for (int n = 0; n < runs; n++) {
            String id = "run" + n;
            results.add(CompletableFuture.supplyAsync(() -> {
                List<String> lines = Collections.synchronizedList(new ArrayList<>());
                try (RunResult r = sandbox.run(rootfs, Scenarios.sh("for i in $(seq 1 200); do echo " + id
                        + " $i; echo " + id + " err $i >&2; done; printf " + id + "-last"),
                        (stream, line) -> lines.add(stream + " " + line))) {
                    assertEquals(0, r.exitCode());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return lines;
            }));
        }
        for (int n = 0; n < runs; n++) {
            List<String> lines = results.get(n).get(2, TimeUnit.MINUTES);
            List<String> out = new ArrayList<>();
            List<String> err = new ArrayList<>();
            List<String> expectOut = new ArrayList<>();
            List<String> expectErr = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                expectOut.add("STDOUT run" + n + " " + i);
                expectErr.add("STDERR run" + n + " err " + i);
            }
            expectOut.add("STDOUT run" + n + "-last");
            for (String l : lines) {
                (l.startsWith("STDOUT") ? out : err).add(l);
            }
            assertEquals(expectOut, out);
            assertEquals(expectErr, err);
        }
        assertEquals(1, sandbox.agentStarts());
    }

    @Test
    void interruptingOneRunKillsItAloneAndUnmountsItsRoot() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        AtomicReference<Throwable> cancelled = new AtomicReference<>();
        Thread victim = new Thread(() -> {
            try {
                sandbox.run(rootfs, Scenarios.sh("echo started; exec sleep 1007"), (s, l) -> started.countDown())
                        .close();
                cancelled.set(new AssertionError("the run was not cancelled"));
            } catch (Throwable e) {
                cancelled.set(e);
            }
        });
        victim.start();
        CompletableFuture<List<String>> other = CompletableFuture.supplyAsync(() -> {
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            try (RunResult r = sandbox.run(rootfs, Scenarios.sh("echo started; sleep 3; echo still here"),
                    (s, l) -> {
                        lines.add(l);
                        started.countDown();
                    })) {
                lines.add("exit " + r.exitCode());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return lines;
        });
        assertTrue(started.await(60, TimeUnit.SECONDS), "both commands started");
        boolean running = false;
        for (int i = 0; i < 100 && !running; i++) { // "started" comes just before the exec
            running = !cmdlines("sleep 1007").isEmpty();
            Thread.sleep(50);
        }
        assertTrue(running, "the command runs");
        victim.interrupt();
        victim.join(TimeUnit.SECONDS.toMillis(AgentConnection.CANCEL_GRACE_SECONDS + 10));
        assertTrue(cancelled.get() instanceof InterruptedException, String.valueOf(cancelled.get()));
        assertEquals(List.of(), commands("sleep 1007"), "the cancelled command is gone");
        assertEquals(List.of("started", "still here", "exit 0"), other.get(60, TimeUnit.SECONDS));
        assertEquals(1, sandbox.agentStarts());
        String mounts = Files.readString(Path.of("/proc", Long.toString(agentJvm()), "mountinfo"));
        // The agent's own (its staging root) stay; nothing of a run does.
        assertFalse(mounts.contains(temp.resolve("work").toRealPath() + "/run-"), mounts);
    }

    @Test
    void anAgentKilledMidRunFailsTheRunClearlyAndTheNextRunGetsANewOne() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return sandbox.run(rootfs, Scenarios.sh("echo started; sleep 1008"), (s, l) -> started.countDown());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(started.await(60, TimeUnit.SECONDS));
        long first = sandbox.agentPid();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
        String message = e.getCause().getCause().getMessage();
        assertTrue(message.startsWith("the sandbox agent failed (exit 137, killed by signal 9) without a complete"
                + " answer: it ended before answering"), message);
        assertEquals(List.of(), commands("sleep 1008"), "the agent's death ended its commands");

        try (RunResult r = sandbox.run(rootfs, Scenarios.sh("echo again"), OutputListener.discard())) {
            assertEquals(0, r.exitCode());
        }
        assertEquals(2, sandbox.agentStarts());
        assertTrue(first != sandbox.agentPid());
    }

    @Test
    void closingTheSandboxLeavesNoProcess() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return sandbox.run(rootfs, Scenarios.sh("echo started; sleep 1009"), (s, l) -> started.countDown());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(started.await(60, TimeUnit.SECONDS));
        long agent = sandbox.agentPid();
        long jvm = agentJvm();
        sandbox.delete(temp.resolve("base"));
        sandbox.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause().getMessage().startsWith("the sandbox agent was closed without a complete"
                + " answer"), e.getCause().getCause().getMessage());
        assertFalse(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false), "unshare is gone");
        assertFalse(ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false), "the agent JVM is gone");
        assertEquals(List.of(), commands("sleep 1009"));
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("?")).filter(c -> c.contains("SandboxAgent")).toList());
        SandboxException closed = assertThrows(SandboxException.class,
                () -> sandbox.run(rootfs, Scenarios.sh("true"), OutputListener.discard()));
        assertEquals("the sandbox is closed", closed.getMessage());
        sandbox = null;
    }

    /** The agent's JVM: the child of {@code unshare} (with {@code --fork}, pid 1 of its pid namespace). */
    private long agentJvm() throws Exception {
        ProcessHandle unshare = ProcessHandle.of(sandbox.agentPid()).orElseThrow();
        for (int i = 0; i < 100; i++) {
            var child = unshare.children().findFirst();
            if (child.isPresent()) {
                return child.get().pid();
            }
            Thread.sleep(50);
        }
        return fail("unshare has no child");
    }

    /**
     * The command lines (from /proc: {@link ProcessHandle.Info} names a busybox applet by its binary) of the
     * live processes whose command line ends with {@code command}.
     */
    private static List<String> cmdlines(String command) {
        List<String> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String line = new String(Files.readAllBytes(p.resolve("cmdline")),
                            StandardCharsets.UTF_8).replace('\0', ' ').strip();
                    String state = Files.readString(p.resolve("stat"));
                    if (line.endsWith(command) && !state.substring(state.lastIndexOf(')') + 2).startsWith("Z")) {
                        found.add(p.getFileName() + ": " + line);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Live processes whose command line ends with {@code command} (unique per test), after a moment to go. */
    private static List<String> commands(String command) throws InterruptedException {
        List<String> found = List.of();
        for (int i = 0; i < 50; i++) { // a killed process may take a moment to be reaped
            found = cmdlines(command);
            if (found.isEmpty()) {
                return found;
            }
            Thread.sleep(100);
        }
        return found;
    }
}
