package dev.jbuild.layer;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Creates device nodes and fifos. The JDK has no mknod(2), so this runs coreutils' {@code mknod} /
 * {@code mkfifo} on the already-confined absolute path (the final component does not exist, so nothing is
 * followed), through {@link ShellScript} so that the name keeps its bytes. Device nodes are only attempted as root; rootless builds skip them, as rootless Docker does.
 */
final class SpecialFiles {
    private final boolean privileged;

    SpecialFiles(boolean privileged) {
        this.privileged = privileged;
    }

    /** Creates the node with mode 0600 (the caller applies the real mode); empty when done, else why not. */
    Optional<String> create(Path path, byte type, int major, int minor) {
        List<String> command;
        // The name goes in a script, not an argument, so that it keeps its bytes (ShellScript).
        String name = RawNames.pathText(path);
        if (type == TarHeader.FIFO) {
            command = List.of("mkfifo", "-m", "0600", "--", name);
        } else {
            if (!privileged) {
                return Optional.of("not permitted without root");
            }
            String kind = type == TarHeader.CHAR_DEVICE ? "c" : "b";
            command = List.of("mknod", "-m", "0600", "--", name, kind, Integer.toString(major),
                    Integer.toString(minor));
        }
        try {
            ShellScript.Result result = ShellScript.run("sh", "exec " + ShellScript.command(command));
            return result.status() == 0 ? Optional.empty()
                    : Optional.of(result.output().isEmpty() ? "exit " + result.status() : result.output());
        } catch (IOException e) {
            return Optional.of("sh unavailable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Whether this process runs as uid 0 (in its user namespace). */
    static boolean runningAsRoot() {
        return new UnixSystem().getUid() == 0;
    }
}
