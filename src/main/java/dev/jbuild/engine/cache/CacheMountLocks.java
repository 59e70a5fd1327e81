package dev.jbuild.engine.cache;

import dev.jbuild.dockerfile.RunMount.Sharing;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The {@code sharing} modes of {@code RUN --mount=type=cache} across concurrent builds, with file
 * locks beside the cache directories ({@code cache-mounts/locks/}): {@code shared} takes a shared
 * lock, {@code locked} an exclusive one (waiting for other users), {@code private} an exclusive one
 * if it is free and otherwise mounts a fresh cache of its own. Locks last until {@link #close()}.
 *
 * <p>File locks belong to the whole JVM, so they cannot keep apart the stages of one build that run
 * at the same time; an in-process read-write lock per cache id ({@link InProcess}, shared by the
 * build's steps) does that, and the file lock then orders this process against others.
 */
public final class CacheMountLocks implements AutoCloseable {

    /** The in-process side of the locks, one per lock file; shared by every RUN of a build. */
    public static final class InProcess {
        private final ConcurrentMap<String, ReentrantReadWriteLock> locks = new ConcurrentHashMap<>();

        ReentrantReadWriteLock of(Path lockFile) {
            return locks.computeIfAbsent(lockFile.toAbsolutePath().normalize().toString(), k -> new ReentrantReadWriteLock());
        }
    }

    private final InProcess inProcess;
    private final List<FileChannel> held = new ArrayList<>();
    private final List<Lock> heldInProcess = new ArrayList<>();

    /** Locks that only order this step against other processes (and itself). */
    public CacheMountLocks() {
        this(new InProcess());
    }

    public CacheMountLocks(InProcess inProcess) {
        this.inProcess = inProcess;
    }

    public String acquire(Path cacheRoot, String id, Sharing sharing) {
        try {
            Path locks = cacheRoot.resolve("locks");
            Files.createDirectories(locks);
            String name = Digest.of(id.getBytes(StandardCharsets.UTF_8)).hex() + ".lock";
            Path lockFile = locks.resolve(name);
            Lock local = lockInProcess(inProcess.of(lockFile), sharing);
            if (local == null) {
                return id + "#private-" + UUID.randomUUID(); // another stage of this build has it
            }
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = switch (sharing) {
                    case LOCKED -> channel.lock();
                    case PRIVATE -> channel.tryLock();
                    case SHARED -> channel.lock(0, Long.MAX_VALUE, true);
                };
            } catch (OverlappingFileLockException e) {
                lock = null; // this process already holds it for another mount of the same step
            }
            if (lock == null && sharing == Sharing.PRIVATE) {
                channel.close();
                local.unlock();
                return id + "#private-" + UUID.randomUUID();
            }
            held.add(channel);
            heldInProcess.add(local);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Takes the in-process side: read lock for shared, write lock for locked (waiting) and private
     * (only if free; null when not). A step mounting the same id twice already holds it (reentrant);
     * it cannot upgrade a read lock it holds to a write lock, so that one case takes the read lock again.
     */
    private static Lock lockInProcess(ReentrantReadWriteLock lock, Sharing sharing) throws InterruptedIOException {
        boolean exclusive = sharing != Sharing.SHARED;
        Lock chosen = exclusive && lock.getReadHoldCount() == 0 ? lock.writeLock() : lock.readLock();
        if (sharing == Sharing.PRIVATE) {
            return chosen.tryLock() ? chosen : null;
        }
        try {
            chosen.lockInterruptibly();
            return chosen;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a cache mount lock");
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
        for (Lock lock : heldInProcess) {
            lock.unlock();
        }
        heldInProcess.clear();
    }
}
