package dev.jbuild.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code sharing} modes of {@code RUN --mount=type=cache} across concurrent builds, with file
 * locks beside the cache directories ({@code cache-mounts/locks/}): {@code shared} takes a shared
 * lock, {@code locked} an exclusive one (waiting for other users), {@code private} an exclusive one
 * if it is free and otherwise mounts a fresh cache of its own. Locks last until {@link #close()}.
 */
final class CacheMountLocks implements AutoCloseable {

    private final List<FileChannel> held = new ArrayList<>();

    String acquire(Path cacheRoot, String id, String sharing) {
        try {
            Path locks = cacheRoot.resolve("locks");
            Files.createDirectories(locks);
            String name = dev.jbuild.image.Digest.of(id.getBytes(StandardCharsets.UTF_8)).hex() + ".lock";
            FileChannel channel = FileChannel.open(locks.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = switch (sharing) {
                    case "locked" -> channel.lock();
                    case "private" -> channel.tryLock();
                    default -> channel.lock(0, Long.MAX_VALUE, true);
                };
            } catch (OverlappingFileLockException e) {
                lock = null; // this process already holds it for another mount of the same step
            }
            if (lock == null && sharing.equals("private")) {
                channel.close();
                return id + "#private-" + UUID.randomUUID();
            }
            held.add(channel);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (FileChannel channel : held) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing releases the lock; a failure here leaves nothing to undo.
            }
        }
        held.clear();
    }
}
