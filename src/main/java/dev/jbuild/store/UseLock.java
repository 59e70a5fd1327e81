package dev.jbuild.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

/**
 * Builds share a store, garbage collection needs it alone: a readers-writer lock across the threads
 * of this JVM (a counter and a monitor) and across processes (a shared or exclusive
 * {@link FileLock} on {@code cache/build.lock}). The process holds one shared file lock while any
 * of its threads uses the store, because a JVM cannot hold two overlapping locks on one file. One
 * instance per store directory, for the reasons {@link IndexLock} gives.
 */
final class UseLock {

    private static final ConcurrentMap<Path, UseLock> BY_DIRECTORY = new ConcurrentHashMap<>();

    private final Path lockFile;
    private int shared;
    private boolean exclusive;
    private FileChannel channel;
    private FileLock fileLock;

    private UseLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    static UseLock forStore(Path realRoot, Path lockFile) {
        return BY_DIRECTORY.computeIfAbsent(realRoot, root -> new UseLock(lockFile));
    }

    synchronized Store.Use shared() throws IOException {
        awaitWhile(() -> exclusive);
        if (shared == 0) {
            acquire(true);
        }
        shared++;
        return new Handle(this::releaseShared);
    }

    synchronized Store.Use exclusive() throws IOException {
        awaitWhile(() -> exclusive || shared > 0);
        acquire(false);
        exclusive = true;
        return new Handle(this::releaseExclusive);
    }

    /** The exclusive hold if nobody uses the store at this moment, else empty, without waiting. */
    synchronized Optional<Store.Use> tryExclusive() throws IOException {
        if (exclusive || shared > 0) {
            return Optional.empty();
        }
        FileChannel opened = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        FileLock lock;
        try {
            lock = opened.tryLock(0, Long.MAX_VALUE, false);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        if (lock == null) {
            opened.close();
            return Optional.empty();
        }
        channel = opened;
        fileLock = lock;
        exclusive = true;
        return Optional.of(new Handle(this::releaseExclusive));
    }

    private void awaitWhile(BooleanSupplier busy) throws InterruptedIOException {
        while (busy.getAsBoolean()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the store");
            }
        }
    }

    private void acquire(boolean sharedLock) throws IOException {
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            fileLock = channel.lock(0, Long.MAX_VALUE, sharedLock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            channel = null;
            throw e;
        }
    }

    private synchronized void releaseShared() throws IOException {
        if (--shared == 0) {
            release();
        }
        notifyAll();
    }

    private synchronized void releaseExclusive() throws IOException {
        exclusive = false;
        release();
        notifyAll();
    }

    private void release() throws IOException {
        try {
            if (fileLock != null && fileLock.isValid()) {
                fileLock.release();
            }
        } finally {
            fileLock = null;
            if (channel != null) {
                channel.close();
            }
            channel = null;
        }
    }

    private interface Release {
        void run() throws IOException;
    }

    /** Releases once, however often it is closed. */
    private static final class Handle implements Store.Use {
        private Release release;

        Handle(Release release) {
            this.release = release;
        }

        @Override
        public synchronized void close() throws IOException {
            if (release != null) {
                Release r = release;
                release = null;
                r.run();
            }
        }
    }
}
