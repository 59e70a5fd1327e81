package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The file system ran out of space (ENOSPC) while a step wrote {@link #path()}: the command's own writes
 * (its upper or copy directory), the agent's diff or answer, or an unpacked layer. Recognised wherever
 * it happens ({@link #of}), so the user reads "no space left on device writing …" rather than whatever
 * a half-written file made of the next read.
 */
public final class NoSpaceLeftException extends SandboxException {
    private static final long serialVersionUID = 1L;
    /** The JDK's text for ENOSPC (strerror), in plain IOExceptions and FileSystemException reasons. */
    static final String ENOSPC = "No space left on device";
    /** Below this much usable space, a failed write is taken to be for lack of space. */
    static final long NEARLY_FULL = 1 << 20;

    private final String path;

    public NoSpaceLeftException(String path, Throwable cause) {
        super("no space left on device writing " + path, cause);
        this.path = path;
    }

    /** The file or directory being written. */
    public String path() {
        return path;
    }

    /**
     * The ENOSPC among {@code e} and its causes, naming the file it was writing, or {@code fallback} (what
     * was being written as a whole) when the JDK did not say (stream writes carry no path).
     */
    public static Optional<NoSpaceLeftException> of(Throwable e, Path fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoSpaceLeftException n) {
                return Optional.of(n);
            }
            if (t instanceof FileSystemException f && f.getReason() != null && f.getReason().contains(ENOSPC)) {
                // A copy or move names the destination second: that is what was being written.
                String written = f.getOtherFile() != null ? f.getOtherFile()
                        : f.getFile() != null ? f.getFile() : String.valueOf(fallback);
                return Optional.of(new NoSpaceLeftException(written, e));
            }
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains(ENOSPC)) {
                return Optional.of(new NoSpaceLeftException(String.valueOf(fallback), e));
            }
        }
        return Optional.empty();
    }

    /** Whether the file system of {@code p} has (almost) no space left for an unprivileged writer. */
    static boolean nearlyFull(Path p) {
        try {
            return Files.getFileStore(p).getUsableSpace() < NEARLY_FULL;
        } catch (IOException e) {
            return false;
        }
    }
}
