package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerEntry;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command run, inside the agent, in this order: the rootfs ({@link RunRootfs}: overlay or copy), the
 * set-up script with its mount points ({@link MountScript} with {@link ExtraMounts}, or {@link BareRun}
 * without a mount namespace), the command ({@link CommandProcess}), the mount points removed again
 * ({@link MountPoints}), the diff ({@link RunDiff}); and whatever happens, the run's mounts in the agent's
 * namespace undone ({@link AgentMounts}). Failures are mapped here: a set-up that never started the command,
 * a full disk.
 */
final class RunOperation {
    private final AgentProtocol.Request r;
    private final Path work;
    private final Path merged;
    /** Chroot isolation in a container that allows no mount namespace: no mounts, no pivot_root. */
    private final boolean bare;
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private long mark = System.nanoTime();
    private final AgentMounts agentMounts;
    private final RunRootfs rootfs;
    private final MountPoints mountPoints;
    private final CommandProcess command;
    private final SandboxAgent.StagingSupplier stagingSupplier;
    private BareRun bareRun;

    RunOperation(AgentProtocol.Request request, SandboxAgent.Output output,
            SandboxAgent.StagingSupplier stagingSupplier) {
        this.r = request;
        this.stagingSupplier = stagingSupplier;
        this.work = Path.of(request.workDir());
        this.merged = work.resolve("merged");
        List<Path> lowers = new ArrayList<>();
        for (String l : request.lowers()) {
            lowers.add(Path.of(l));
        }
        this.bare = !request.namespaces().contains(ChrootSupport.MOUNT);
        this.agentMounts = new AgentMounts(request.tools().get("umount"));
        this.rootfs = new RunRootfs(request.tools(), work, merged, lowers, "OVERLAY".equals(request.snapshotter()),
                agentMounts);
        this.mountPoints = new MountPoints(merged, warnings);
        this.command = new CommandProcess(request, bare, output);
    }

    AgentProtocol.Response run() throws IOException {
        try {
            return runMounted();
        } finally {
            agentMounts.unmountAll();
        }
    }

    private AgentProtocol.Response runMounted() throws IOException {
        String script = prepare();
        int exit;
        try {
            exit = command.run(script);
        } finally {
            if (bareRun != null) {
                bareRun.restore();
            }
        }
        lap("command");
        boolean started = Files.exists(work.resolve("started"));
        if (!started) {
            String log = readSetupLog();
            throw new SandboxException("the sandbox could not start the command" + (log.isEmpty() ? "" : ": " + log));
        }
        agentMounts.unmountAll();
        mountPoints.removeAll(rootfs.top());
        // A command that failed on a full disk failed for lack of space where its writes go (its output says
        // what it was writing); the diff below is then likely to fail for the same reason.
        Path top = rootfs.top();
        String noSpaceLeft = exit != 0 && NoSpaceLeftException.nearlyFull(top) ? top.toString() : null;
        List<LayerEntry> entries;
        try {
            entries = RunDiff.diff(rootfs, r.mapping(), work, warnings);
        } catch (IOException e) {
            Optional<NoSpaceLeftException> full = NoSpaceLeftException.of(e, work);
            if (full.isPresent() && noSpaceLeft != null) {
                throw new NoSpaceLeftException(noSpaceLeft, e);
            }
            throw full.<IOException>map(n -> n).orElse(e);
        }
        lap("diff");
        return new AgentProtocol.Response(true, null, true, exit, rootfs.nextLowers(), warnings, timings, List.of(),
                false, noSpaceLeft);
    }

    /**
     * Assembles the rootfs and writes the run's script (and its fstabs) into the work directory; returns the
     * script's path. Nothing of the command runs yet.
     */
    String prepare() throws IOException {
        ResourceLimits.check(r.ulimits(), r.mapping()); // before any work: a limit we cannot set fails the step
        Files.createDirectories(merged);
        rootfs.prepare();
        lap("rootfs");
        String script;
        if (bare) {
            bareRun = new BareRun(r, work, merged, mountPoints, warnings);
            script = bareRun.write();
        } else {
            script = new MountScript(r, work, merged, mountPoints,
                    new ExtraMounts(r, work, mountPoints, agentMounts), stagingSupplier).write();
        }
        lap("mounts");
        return script;
    }

    /** The agent's command line for {@code script}. */
    List<String> command(String script) {
        return command.command(script);
    }

    private void lap(String phase) {
        long now = System.nanoTime();
        timings.put(phase, (now - mark) / 1_000_000);
        mark = now;
    }

    private String readSetupLog() {
        try {
            return Files.readString(work.resolve("setup.log")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
