package dev.jbuild.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The one resolver of untrusted paths inside a root, for every tree jbuild reads or writes: the build
 * context ({@code context.DirectoryTree}), a stage's layer view ({@code build.FsView}), a directory a
 * layer is applied to ({@link LayerApplier}), the merged tree of {@code -o type=tar}
 * ({@code export.MergedTree}) and the sandbox's root filesystem. What differs between them is only
 * how one path is looked at ({@link Root}); the walk is written once, here.
 *
 * <p>The rules (filepath-securejoin's and the kernel's, on a path BuildKit has cleaned first):
 * <ul>
 *   <li>the path asked for is cleaned lexically first ({@code a/b/..} is {@code a}, {@code ../x} is
 *       {@code x}, "." and empty elements and a trailing slash go), as BuildKit passes every path
 *       through {@code filepath.Join("/", p)} before containerd's {@code fs.RootPath};</li>
 *   <li>then every component is looked up in turn; a symbolic link met on the way (and in the last
 *       component when asked to) is replaced by its target: an absolute target starts again at the
 *       root, a relative one continues from the link's directory, and a {@code ..} in a target
 *       applies to where the walk has got to (after links), never above the root;</li>
 *   <li>more than {@link #MAX_LINKS} links on one path fail with {@link TooManyLinksException}.</li>
 * </ul>
 * Reading ({@link #lookup}) fails softly (empty) where a component is missing or is not a directory,
 * as the kernel's ENOENT/ENOTDIR; writing ({@link #forWriting}) takes a missing component and what
 * follows it as written, as {@code fs.RootPath} does, so a dangling link leads to the path its target
 * names and a writer creates that.
 *
 * <p>One corner differs from continuity's {@code fs.RootPath} (which BuildKit's COPY uses): a relative
 * target with {@code ..} after a link ({@code x -> sym/..}) is resolved the kernel's way, from where
 * {@code sym} leads, whereas continuity joins it to the link's directory lexically. jbuild follows the
 * kernel so that COPY sees what a RUN in the same tree sees.
 *
 * <p>For a host directory this is only race-free because nothing else changes the tree meanwhile: the
 * extractor is the sole writer while it applies a layer, and the context is not expected to change
 * during a build (BuildKit's transfer has the same race).
 */
public final class RootedResolver {

    /** The limit Linux, filepath-securejoin and continuity all use. */
    public static final int MAX_LINKS = 255;

    /** What one path of a root holds, a symbolic link there not followed. */
    public sealed interface Entry permits Entry.Directory, Entry.Symlink, Entry.Other, Entry.Missing {
        Entry DIRECTORY = new Directory();
        Entry OTHER = new Other();
        Entry MISSING = new Missing();

        /** A directory: the walk can go below it. */
        record Directory() implements Entry {}

        /** A symbolic link and its target, as stored. */
        record Symlink(String target) implements Entry {}

        /** Anything else (a file, hard link, device, fifo): it ends a walk. */
        record Other() implements Entry {}

        /** Nothing is there. */
        record Missing() implements Entry {}
    }

    /** A tree to resolve in: a host directory ({@link #hostRoot}), a layer view, the context. */
    @FunctionalInterface
    public interface Root {
        /**
         * What is stored at exactly {@code path}: clean, relative, '/'-separated, "" for the root.
         * Asked only for paths whose parents the walk has reached as directories of this root.
         */
        Entry entryAt(String path) throws IOException;
    }

    /**
     * Where a path leads: a clean path relative to the root ("" for the root), symlink-free up to its
     * last component, and what is there ({@link Entry.Missing} for a name a writer may create).
     */
    public record Resolved(String path, Entry entry) {
        public boolean isDirectory() {
            return entry instanceof Entry.Directory;
        }
    }

    private final Path root;
    private final Root host;

    /** @param root an absolute, real (symlink-free) directory */
    RootedResolver(Path root) {
        this.root = root;
        this.host = hostRoot(root);
    }

    /**
     * The entry at {@code path}, for reading: empty when something on the way is missing or not a
     * directory, or when {@code followLast} and the last component is a dangling link.
     *
     * @param followLast whether a symbolic link in the last component is followed too
     * @throws TooManyLinksException after {@link #MAX_LINKS} links
     */
    public static Optional<Resolved> lookup(Root root, String path, boolean followLast) throws IOException {
        return walk(root, path, followLast, false);
    }

    /**
     * Where to write {@code path}: existing components resolved as for {@link #lookup}, a missing one
     * and everything after it kept as written (so a dangling link leads to its target's path). Never
     * empty; a non-directory in the middle is kept too, for the writer to fail on.
     *
     * @throws TooManyLinksException after {@link #MAX_LINKS} links
     */
    public static Resolved forWriting(Root root, String path, boolean followLast) throws IOException {
        return walk(root, path, followLast, true).orElseThrow();
    }

    /** A host directory as a {@link Root}: entries by {@code lstat}, names byte for byte ({@link RawNames}). */
    public static Root hostRoot(Path realRoot) {
        return path -> {
            if (path.isEmpty()) {
                return Entry.DIRECTORY;
            }
            Path p = child(realRoot, path);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Entry.MISSING;
            }
            if (a.isSymbolicLink()) {
                try {
                    return new Entry.Symlink(RawNames.pathText(Files.readSymbolicLink(p)));
                } catch (IOException e) {
                    throw new LayerException("cannot read symlink " + RawNames.display(path) + ": " + e, e);
                }
            }
            return a.isDirectory() ? Entry.DIRECTORY : Entry.OTHER;
        };
    }

    /**
     * {@code unsafe} resolved inside {@code root} for writing, a symlink in the last component followed,
     * as a '/'-separated path relative to the root ("" for the root itself): for the sandbox, which
     * resolves a RUN's working directory and mount targets in its root filesystem, and for the RUN
     * cache key, which must see a bind source as the mount does.
     */
    public static String resolveInside(Path root, String unsafe) throws IOException {
        return forWriting(hostRoot(root), unsafe, true).path();
    }

    /** {@code unsafe} as a host path below the root, for writing, every component including the last followed. */
    Path resolve(String unsafe) throws IOException {
        String resolved = forWriting(host, unsafe, true).path();
        return resolved.isEmpty() ? root : child(root, resolved);
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

    /**
     * The walk. {@code reached} holds the components resolved so far and {@code entries} what each is;
     * only below a directory is the root asked again, so below a missing component (writing) every
     * further name is missing too.
     */
    private static Optional<Resolved> walk(Root root, String path, boolean followLast, boolean writing)
            throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, LayerPaths.clean(path));
        List<String> reached = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals("..")) {
                if (!reached.isEmpty()) {
                    reached.remove(reached.size() - 1);
                    entries.remove(entries.size() - 1);
                }
                continue;
            }
            Entry parent = entries.isEmpty() ? Entry.DIRECTORY : entries.get(entries.size() - 1);
            String candidate = LayerPaths.join(String.join("/", reached), name);
            Entry entry = parent instanceof Entry.Directory ? root.entryAt(candidate) : Entry.MISSING;
            boolean last = todo.isEmpty();
            if (entry instanceof Entry.Symlink link && !link.target().isEmpty() && (followLast || !last)) {
                if (++links > MAX_LINKS) {
                    throw new TooManyLinksException(path);
                }
                if (link.target().startsWith("/")) {
                    reached.clear();
                    entries.clear();
                }
                pushFront(todo, link.target());
                continue;
            }
            // An empty target is ENOENT for the kernel: the link stays as found and cannot be gone through.
            if (!writing && !last && !(entry instanceof Entry.Directory)) {
                return Optional.empty(); // ENOENT or ENOTDIR, also before a ".." of a link target
            }
            reached.add(name);
            entries.add(entry);
        }
        Entry found = entries.isEmpty() ? Entry.DIRECTORY : entries.get(entries.size() - 1);
        if (!writing && (found instanceof Entry.Missing
                || followLast && found instanceof Entry.Symlink)) {
            return Optional.empty(); // missing, or a link with an empty target that was to be followed
        }
        return Optional.of(new Resolved(String.join("/", reached), found));
    }

    /** Puts the elements of {@code path} in front of {@code todo}, in order, without "." and empty ones. */
    private static void pushFront(Deque<String> todo, String path) {
        String[] parts = path.split("/", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                todo.addFirst(parts[i]);
            }
        }
    }

    /** {@code dir}'s descendant {@code relative}, byte for byte ({@link RawNames}). */
    private static Path child(Path dir, String relative) throws LayerException {
        try {
            return RawNames.child(dir, relative);
        } catch (IllegalArgumentException e) { // InvalidPathException (NUL), or a URI that cannot name a file
            throw new LayerException("invalid path component in " + RawNames.display(relative.replace('\0', '?')), e);
        }
    }
}
