package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A read-only root filesystem given as directories stacked like overlayfs lower dirs, top-most first. Each
 * directory is a plain tree in overlay format: a whiteout is a 0:0 character device (or an empty file with
 * the {@code user.overlay.whiteout} xattr), an opaque directory carries {@code user.overlay.opaque=y}. A single
 * unpacked image (layers merged by {@code LayerExtractor}) is a stack of one. The directories are never
 * modified by a run.
 */
public record Rootfs(List<Path> layers) {
    public Rootfs {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a rootfs needs at least one directory");
        }
        for (Path p : layers) {
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException("rootfs directories must be absolute: " + p);
            }
        }
    }

    /** The largest file {@link #readSmallFile} reads. */
    static final long SMALL_FILE = 1 << 20;

    /**
     * The bytes of the regular file at {@code path} (relative to the root, its links already resolved: a link is
     * not followed) as the stack shows it, when it is at most 1 MiB and this process may read it; else empty.
     * How the caller reads /etc/passwd of an unpacked stack rather than streaming layer blobs.
     */
    public Optional<byte[]> readSmallFile(String path) throws IOException {
        Optional<LayerStack.Node> node = new LayerStack(layers).lookup(path);
        if (node.isEmpty() || node.get().type() != LayerStack.S_IFREG || node.get().size() > SMALL_FILE) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(node.get().path()));
        } catch (AccessDeniedException e) {
            return Optional.empty(); // a file of another container id, mode 0600: the layer blob has it too
        }
    }

    static Rootfs of(Path dir) {
        return new Rootfs(List.of(dir));
    }
}
