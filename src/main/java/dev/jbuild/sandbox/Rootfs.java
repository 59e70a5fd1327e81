package dev.jbuild.sandbox;

import java.nio.file.Path;
import java.util.List;

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

    static Rootfs of(Path dir) {
        return new Rootfs(List.of(dir));
    }
}
