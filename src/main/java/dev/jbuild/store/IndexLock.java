package dev.jbuild.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises read-modify-write of a shared store file ({@code index.json}, the build record
 * {@code builds.jsonl}) among all threads and processes that share a store: a {@link ReentrantLock}
 * orders the threads of this JVM, then an exclusive {@link FileChannel#lock()} on the lock file
 * orders the processes.
 *
 * <p>The in-JVM lock is shared by every {@link Store} instance opened on the same directory,
 * through the one static table below (one entry per lock file). It cannot be per instance: file locks belong to the
 * process, a second lock attempt from the same JVM fails instead of waiting, and closing any
 * channel on the file releases the process's lock, so two instances with separate channels
 * could silently drop each other's lock.
 */
final class IndexLock {

    /** Lock per lock file of a store (real path), for the life of the JVM; a handful of entries at most. */
    private static final ConcurrentMap<Path, IndexLock> BY_FILE = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock inProcess = new ReentrantLock();

    private IndexLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    static IndexLock forStore(Path realRoot, String lockFileName) {
        // Keyed by the file, not the store: each lock file orders its own file's writers.
        return BY_FILE.computeIfAbsent(realRoot.resolve(lockFileName), IndexLock::new);
    }

    interface Action<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding both locks; reentrant within a thread. */
    <T> T locked(Action<T> action) throws IOException {
        try {
            inProcess.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the store lock");
        }
        try {
            if (inProcess.getHoldCount() > 1) {
                return action.run();
            }
            // Opened and closed only under inProcess, so closing it cannot drop a lock another
            // thread of this JVM relies on.
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock processLock = lockProcess(channel);
                try {
                    return action.run();
                } finally {
                    processLock.release();
                }
            }
        } finally {
            inProcess.unlock();
        }
    }

    private static FileLock lockProcess(FileChannel channel) throws IOException {
        try {
            return channel.lock();
        } catch (OverlappingFileLockException e) {
            // Only possible if something else in this JVM locks the file outside IndexLock.
            throw new IOException("store lock " + channel + " is held elsewhere in this process", e);
        }
    }
}
