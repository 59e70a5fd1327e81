package dev.jbuild.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who made an entry of {@code tmp/}, and whether that process still lives. Each process that
 * creates temporary entries holds an exclusive lock on its own file {@code owners/<token>} for as
 * long as it runs, and puts the token in every entry's name. The kernel drops the lock when the
 * process dies, however it dies (SIGKILL included), so a free lock proves the owner gone and its
 * entries garbage at once, with no waiting for an age. A lock, unlike a pid, means the same in
 * every pid namespace that shares the store and cannot be reused by another process.
 *
 * <p>An owner file becomes visible under its name only once locked (it is locked under a
 * {@code .pending} name and renamed), so no one ever sees an unlocked owner file of a live
 * process. Owner files are removed only once their lock was free, i.e. their process is dead;
 * so an entry whose token has no owner file is garbage too.
 *
 * <p>One owner per store directory per JVM, in a static table for the reasons {@link IndexLock}
 * gives: locks belong to the process, and a second channel closing would drop the first one's
 * lock. Where file locks do not work (some network filesystems) there is no token, entries get
 * plain names, and only their age tells (see {@link TempSpace#STALE_AGE}).
 */
final class TempOwners {

    private static final ConcurrentMap<Path, TempOwners> BY_DIRECTORY = new ConcurrentHashMap<>();
    /** A token in an entry name: {@code <purpose>-<token>-<unique>}. */
    private static final Pattern TOKEN_IN_NAME = Pattern.compile("-([0-9a-f]{24})-");
    private static final Pattern OWNER_FILE = Pattern.compile("[0-9a-f]{24}");
    static final String PENDING_SUFFIX = ".pending";

    private final Path directory;
    private String token;
    private boolean unavailable;
    /** Held open (never closed) for the life of the JVM: closing any channel on the file would drop the lock. */
    @SuppressWarnings("unused")
    private FileChannel channel;

    private TempOwners(Path directory) {
        this.directory = directory;
    }

    static TempOwners forStore(Path realRoot) {
        return BY_DIRECTORY.computeIfAbsent(realRoot, root -> new TempOwners(root.resolve("owners")));
    }

    /** This process's token, registering it on first use; null where locks do not work. */
    synchronized String token() {
        if (token == null && !unavailable) {
            String candidate = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Path pending = directory.resolve(candidate + PENDING_SUFFIX);
            FileChannel opened = null;
            try {
                Files.createDirectories(directory);
                opened = FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileLock lock = opened.tryLock();
                if (lock == null) {
                    throw new IOException("a new lock file is locked");
                }
                Files.move(pending, directory.resolve(candidate), StandardCopyOption.ATOMIC_MOVE);
                channel = opened;
                token = candidate;
            } catch (IOException | RuntimeException e) {
                unavailable = true;
                if (opened != null) {
                    try {
                        opened.close();
                        Files.deleteIfExists(pending);
                    } catch (IOException ignored) {
                        // a stray pending file goes by age
                    }
                }
            }
        }
        return token;
    }

    /** The token in an entry's name, or null for a name without one (older jbuild, other writers). */
    static String tokenOf(String entryName) {
        Matcher m = TOKEN_IN_NAME.matcher(entryName);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Whether the process with {@code token} has died. False whenever it cannot be told (the lock
     * file cannot be opened, the lock call fails): a live process's entries must never go.
     */
    synchronized boolean isGone(String token) {
        if (token.equals(this.token)) {
            return false;
        }
        try (FileChannel other = FileChannel.open(directory.resolve(token), StandardOpenOption.WRITE)) {
            FileLock lock = other.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (NoSuchFileException e) {
            return true; // owner files are removed only after their owner died
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /**
     * Removes the owner files of dead processes that no entry names any more ({@code inUse}: the
     * tokens of the entries still in {@code tmp/}); returns how many.
     */
    synchronized int forgetDead(Set<String> inUse) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (OWNER_FILE.matcher(name).matches() && !inUse.contains(name) && isGone(name)) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        }
        return removed;
    }

    Path directory() {
        return directory;
    }
}
