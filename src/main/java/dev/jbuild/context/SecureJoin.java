package dev.jbuild.context;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Walks a path through a tree one element at a time, following symbolic links inside the tree the
 * way filepath-securejoin does: {@code ..} is lexical and stops at the root, an absolute link target
 * restarts at the root, a relative one continues from the link's directory. Every entry it asks
 * for has only real directories above it, so a reader that stats literal paths without following
 * the last element never leaves the tree.
 *
 * <p>For {@link SourceTree} implementations: {@code lookup(p)} is {@code walk(p, false, reader)}
 * and {@code resolve(p)} is {@code walk(p, true, reader)}, where the reader returns the entry stored
 * at exactly that path (for image layers: the merged layer index).
 */
public final class SecureJoin {

    /** The limit Linux, securejoin and continuity all use. */
    static final int MAX_SYMLINKS = 255;

    /** Reads one entry whose parent directories are known to be real directories of the tree. */
    @FunctionalInterface
    public interface EntryReader {
        /** The entry stored at {@code treePath} (absolute, cleaned), symbolic links not followed. */
        Optional<SourceFile> read(String treePath) throws IOException;
    }

    private SecureJoin() {}

    static FileSystemException tooManyLinks(String path) {
        return new FileSystemException(path, null, "too many levels of symbolic links");
    }

    /**
     * The entry at {@code path} (cleaned first), with symbolic links followed in the directories on
     * the way and, when {@code followLast}, in the last element too; empty when something on the way
     * is missing or not a directory.
     *
     * @throws java.nio.file.FileSystemException "too many levels of symbolic links" after 255 links
     */
    public static Optional<SourceFile> walk(String path, boolean followLast, EntryReader reader) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, TreePaths.absolute(path));
        String current = "/";
        SourceFile currentEntry = null; // null: not read yet (the root, or reached by "..")
        boolean currentIsDirectory = true;
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals("..")) {
                current = TreePaths.parent(current);
                currentEntry = null;
                currentIsDirectory = true; // everything above a reached entry is a real directory
                continue;
            }
            if (!currentIsDirectory) {
                return Optional.empty(); // ENOTDIR: a file cannot have entries
            }
            String candidate = TreePaths.child(current, name);
            Optional<SourceFile> found = reader.read(candidate);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            SourceFile entry = found.get();
            if (entry.isSymlink() && (followLast || !todo.isEmpty())) {
                if (++links > MAX_SYMLINKS) {
                    throw tooManyLinks(path);
                }
                String target = entry.linkTarget();
                if (target.isEmpty()) {
                    return Optional.empty(); // Linux: ENOENT
                }
                if (target.startsWith("/")) {
                    current = "/";
                    currentEntry = null;
                    currentIsDirectory = true;
                }
                pushFront(todo, target);
                continue;
            }
            current = candidate;
            currentEntry = entry;
            currentIsDirectory = entry.isDirectory();
        }
        return currentEntry != null ? Optional.of(currentEntry) : reader.read(current);
    }

    /** Puts the elements of {@code path} in front of {@code todo}, in order, without "." and empties. */
    private static void pushFront(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                todo.addFirst(parts[i]);
            }
        }
    }
}
