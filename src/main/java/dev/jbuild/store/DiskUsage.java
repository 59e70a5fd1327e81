package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories garbage collection looks at besides blobs and records ({@code rootfs/},
 * {@code cache-mounts/}, {@code tmp/}), and their sizes and ages. Both are written by the build;
 * the store only measures and removes them.
 */
final class DiskUsage {

    /** Unpacked layer chains for RUN, one directory each. */
    static final String ROOTFS = "rootfs";
    /** RUN --mount=type=cache directories. */
    static final String CACHE_MOUNTS = "cache-mounts";

    private DiskUsage() {}

    static Path rootfs(Store store) {
        return store.root().resolve(ROOTFS);
    }

    static Path cacheMounts(Store store) {
        return store.root().resolve(CACHE_MOUNTS);
    }

    /** A hidden entry of {@code rootfs/}: a killed build's {@code .partial-}, a killed prune's {@code .removing-}. */
    static boolean leftover(Path dir) {
        return dir.getFileName().toString().startsWith(".");
    }

    /** When the tree was last used (its modification time, which users refresh); the epoch when unknown. */
    static Instant lastUsed(Path dir) {
        try {
            return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** The entries of {@code dir}; none when it does not exist. */
    static List<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        return entries;
    }

    /** Bytes of regular files below {@code path}; unreadable parts count as nothing. */
    static long size(Path path) {
        long[] total = {0};
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // partial total
        }
        return total[0];
    }
}
