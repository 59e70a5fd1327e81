package dev.jbuild.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The durable-write steps the store repeats: fsync a directory, rename atomically. */
final class DurableFiles {

    private DurableFiles() {}

    /**
     * Makes a rename or create in {@code dir} durable. Linux needs the directory itself synced;
     * platforms that cannot open a directory for reading (Windows) make renames durable without
     * it, so failure to open is ignored there.
     */
    static void fsyncDirectory(Path dir) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            // Some filesystems refuse fsync on directories (EINVAL); the data itself was synced.
        }
    }

    /** Atomically replaces {@code target} with {@code source} (same directory or filesystem). */
    static void atomicReplace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store needs atomic renames within " + target.getParent() + ": " + e.getMessage(), e);
        }
    }
}
