package dev.jbuild.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The durable-write steps the store repeats: fsync a directory, rename atomically, replace a small
 * file whole. A failure to write names the file and the store ({@link NoSpaceLeftException#forStore}).
 */
final class DurableFiles {

    /** The suffix of a file being written beside its target (what a killed writer leaves). */
    static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {}

    /**
     * Replaces {@code target} whole or not at all (temporary file in the same directory, fsync,
     * rename, fsync of the directory): a full disk leaves the old file (the old tags) and no
     * temporary file behind. Readers need no lock, they see the old file or the new one.
     */
    static void writeAtomically(Path target, byte[] bytes, Path storeRoot) throws IOException {
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                out.write(bytes);
                out.flush();
                channel.force(true);
            }
            atomicReplace(temp, target);
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw NoSpaceLeftException.forStore(e, temp, storeRoot);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@link Files#createDirectories}, a failure naming the directory and the store. */
    static void createDirectories(Path dir, Path storeRoot) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw NoSpaceLeftException.forStore(e, dir, storeRoot);
        }
    }

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
