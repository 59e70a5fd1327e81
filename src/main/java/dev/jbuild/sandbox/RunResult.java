package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run produced. The changes' regular files are read from this run's directory, so keep the result
 * open until the layer is written; {@link #rootfs()} (the lower plus this run's changes) is valid as long
 * as this result and the lower stay open. {@link #close()} deletes the run's directory.
 */
public final class RunResult implements AutoCloseable {
    private final Sandbox sandbox;
    private final Path workDir;
    private final int exitCode;
    private final List<LayerEntry> changes;
    private final Rootfs rootfs;
    private final List<String> warnings;
    private final Map<String, Long> timings;
    private final Optional<String> noSpaceLeft;
    private boolean closed;

    RunResult(Sandbox sandbox, Path workDir, int exitCode, List<LayerEntry> changes, Rootfs rootfs,
            List<String> warnings, Map<String, Long> timings, Optional<String> noSpaceLeft) {
        this.sandbox = sandbox;
        this.workDir = workDir;
        this.exitCode = exitCode;
        this.changes = List.copyOf(changes);
        this.rootfs = rootfs;
        this.warnings = List.copyOf(warnings);
        this.timings = Map.copyOf(timings);
        this.noSpaceLeft = noSpaceLeft;
    }

    /**
     * Where the command's writes go, when it failed and that file system is full: it most likely failed for
     * lack of space (its output says what it was writing).
     */
    public Optional<String> noSpaceLeft() {
        return noSpaceLeft;
    }

    /** The command's exit code (128+n when killed by signal n; 125-127 when it could not be executed). */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The filesystem changes in layer order, with container ids: added and changed entries, {@code Whiteout}
     * for deleted paths, {@code OpaqueWhiteout} + the directory for replaced directories, hard links kept.
     * Mount points the sandbox created, {@code /etc/hosts}, {@code /etc/resolv.conf}, {@code /etc/hostname}
     * and mounted content never appear. mtimes are as found; the layer writer clamps them.
     */
    public List<LayerEntry> changes() {
        return changes;
    }

    /** The root filesystem after this run, to run the next step on. */
    public Rootfs rootfs() {
        return rootfs;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Milliseconds per phase (rootfs, mounts, command, diff, total) for diagnostics. */
    Map<String, Long> timings() {
        return timings;
    }

    @Override
    public synchronized void close() throws SandboxException {
        if (!closed) {
            closed = true;
            sandbox.delete(workDir);
        }
    }
}
