package dev.jbuild.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run mounted in the agent's own mount namespace (the overlay, the secrets' tmpfs), innermost last:
 * the agent outlives the run, so they are unmounted whatever happens ({@link #unmountAll}).
 */
final class AgentMounts {
    private final String umount;
    private final List<Path> mounts = new ArrayList<>();

    AgentMounts(String umount) {
        this.umount = umount;
    }

    void add(Path mountPoint) {
        mounts.add(mountPoint);
    }

    /**
     * Unmounts them all, innermost first. A cancelled run's interrupt is put aside meanwhile: the unmounts
     * must happen, or the agent would keep them until it exits.
     */
    void unmountAll() throws SandboxException {
        boolean interrupted = Thread.interrupted();
        try {
            SandboxException first = null;
            for (int i = mounts.size() - 1; i >= 0; i--) {
                try {
                    SandboxAgent.Exec.run(umount, mounts.get(i).toString());
                } catch (SandboxException e) {
                    try {
                        // Busy (a process of the command we could not kill yet?): detach it, it goes when unused.
                        SandboxAgent.Exec.run(umount, "-l", mounts.get(i).toString());
                    } catch (SandboxException lazy) {
                        first = first == null ? e : first;
                    }
                }
            }
            mounts.clear();
            if (first != null) {
                throw first;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
