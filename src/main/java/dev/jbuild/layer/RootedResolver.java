package dev.jbuild.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves untrusted paths inside a root directory with securejoin semantics: each component is looked up
 * in turn; a symlink found on the way is expanded as if the root were '/' (absolute targets restart at the
 * root, ".." never climbs above it); components that do not exist are taken literally. The result is a
 * path under the root whose existing components are real directories, so writing there cannot leave the
 * root.
 *
 * <p>This is only race-free because nothing else changes the tree while a layer is applied: the extractor
 * is the sole writer, and every entry it creates goes through this resolver.
 */
public final class RootedResolver {
    private static final int MAX_SYMLINKS = 255;

    private final Path root;

    /** @param root an absolute, real (symlink-free) directory */
    RootedResolver(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /**
     * {@code unsafe} resolved inside {@code root} as {@link #resolve} does, as a '/'-separated path
     * relative to the root ("" for the root itself): for the sandbox, which resolves a RUN's working
     * directory and mount targets in its root filesystem the same way.
     */
    public static String resolveInside(Path root, String unsafe) throws LayerException {
        return RawNames.pathText(root.relativize(new RootedResolver(root).resolve(unsafe))); // Linux: '/'-separated
    }

    /** Resolves {@code unsafe}, following symlinks within the root for every component including the last. */
    Path resolve(String unsafe) throws LayerException {
        List<String> resolved = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, unsafe);
        int followed = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                continue;
            }
            Path candidate = child(toPath(resolved), part, unsafe);
            if (!Files.isSymbolicLink(candidate)) {
                resolved.add(part);
                continue;
            }
            if (++followed > MAX_SYMLINKS) {
                throw new LayerException("too many levels of symbolic links resolving " + unsafe);
            }
            String target;
            try {
                target = RawNames.pathText(Files.readSymbolicLink(candidate));
            } catch (IOException e) {
                throw new LayerException("cannot read symlink " + root.relativize(candidate) + ": " + e, e);
            }
            if (target.startsWith("/")) {
                resolved.clear();
            }
            pushFront(todo, target);
        }
        return toPath(resolved);
    }

    /** True when no component of {@code path} below the root is a symlink (checked now, not cached). */
    boolean isFreeOfSymlinks(Path path) {
        if (!path.startsWith(root)) {
            return false;
        }
        Path current = root;
        for (Path part : root.relativize(path)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                return false;
            }
        }
        return true;
    }

    /** The path relative to the root, '/'-separated, for messages. */
    String display(Path path) {
        String rel = root.relativize(path).toString();
        return rel.isEmpty() ? "/" : rel;
    }

    private Path toPath(List<String> parts) {
        Path p = root;
        for (String part : parts) {
            p = RawNames.child(p, part);
        }
        return p;
    }

    private static void pushFront(Deque<String> todo, String path) {
        String[] parts = path.split("/", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    /** {@code dir}'s child {@code part}, byte for byte ({@link RawNames}). */
    private static Path child(Path dir, String part, String whole) throws LayerException {
        try {
            return RawNames.child(dir, part);
        } catch (IllegalArgumentException e) { // InvalidPathException (NUL), or a URI that cannot name a file
            throw new LayerException("invalid path component in " + RawNames.display(whole.replace('\0', '?')), e);
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
