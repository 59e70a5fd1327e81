package dev.jbuild.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns a host directory tree (or some paths in it) into layer entries, in layer order.
 *
 * <ul>
 *   <li>symlinks are never followed, neither while walking nor when the content is read later;</li>
 *   <li>files sharing an inode (same device and inode number) become one regular file, the first in layer
 *       order, and hard links to it;</li>
 *   <li>the source root itself is not an entry; its contents are placed under {@code destination};</li>
 *   <li>a filter (e.g. from .dockerignore) decides per path; a directory excluded with
 *       {@link Decision#EXCLUDE} is still walked and is emitted after all if something inside it is included,
 *       so included files keep their real parent attributes;</li>
 *   <li>only {@code user.*} xattrs are read: {@link UserDefinedFileAttributeView} exposes no other
 *       namespace, so {@code security.capability} on host files is not carried (it is for layers written
 *       from a {@code RUN} snapshot through other means);</li>
 *   <li>sockets are skipped (tar cannot hold them).</li>
 * </ul>
 */
public final class DirectoryWalker {

    public enum Decision {
        INCLUDE,
        /** Leave this path out but still look inside it (a later pattern may re-include children). */
        EXCLUDE,
        /** Leave this path and everything below it out without looking. */
        EXCLUDE_TREE
    }

    @FunctionalInterface
    public interface PathFilter {
        /** @param relativePath '/'-separated path relative to the source root */
        Decision decide(String relativePath, boolean directory);

        static PathFilter includeAll() {
            return (path, directory) -> Decision.INCLUDE;
        }
    }

    /**
     * @param destination where the source root's contents go in the layer ("" for the layer root)
     * @param uid         owner for every entry instead of the host's, or null to keep it
     * @param gid         group for every entry instead of the host's, or null to keep it
     * @param mode        permission bits for every entry instead of the host's (COPY --chmod), or null
     * @param filter      which paths to take
     */
    public record Options(String destination, Long uid, Long gid, Integer mode, PathFilter filter) {
        public Options {
            destination = EntryPaths.normalize(Objects.requireNonNull(destination, "destination"));
            Objects.requireNonNull(filter, "filter");
            if (mode != null && (mode & ~07777) != 0) {
                throw new IllegalArgumentException("mode has bits outside 07777");
            }
        }

        static Options defaults() {
            return new Options("", null, null, null, PathFilter.includeAll());
        }

        Options withDestination(String d) {
            return new Options(d, uid, gid, mode, filter);
        }

        Options withOwner(long newUid, long newGid) {
            return new Options(destination, newUid, newGid, mode, filter);
        }

        Options withMode(int newMode) {
            return new Options(destination, uid, gid, newMode, filter);
        }

        Options withFilter(PathFilter f) {
            return new Options(destination, uid, gid, mode, f);
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private final Options options;

    public DirectoryWalker(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Everything below {@code sourceRoot} that the filter takes. */
    List<LayerEntry> walk(Path sourceRoot) throws IOException {
        Walk walk = new Walk(sourceRoot);
        walk.children(sourceRoot, "");
        return walk.result();
    }

    /**
     * Only {@code relativePaths} below {@code sourceRoot} (directories with their contents), plus their
     * ancestor directories so the layer is self-contained. A path that is, or passes through, a symlink is
     * taken as the symlink itself / rejected: nothing is followed.
     */
    List<LayerEntry> walk(Path sourceRoot, Collection<String> relativePaths) throws IOException {
        Walk walk = new Walk(sourceRoot);
        for (String raw : relativePaths) {
            String rel = EntryPaths.normalize(raw);
            if (rel.isEmpty()) {
                walk.children(sourceRoot, "");
                continue;
            }
            String ancestor = "";
            for (String part : LayerPaths.parent(rel).isEmpty() ? new String[0]
                    : LayerPaths.parent(rel).split("/")) {
                ancestor = LayerPaths.join(ancestor, part);
                Path p = sourceRoot.resolve(ancestor);
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(ancestor + " in " + sourceRoot + " is not a directory (symlinks are not followed)");
                }
                walk.single(p, ancestor);
            }
            walk.visit(sourceRoot.resolve(rel), rel);
        }
        return walk.result();
    }

    /** State of one walk: entries by layer path and the inode of each multiply-linked file. */
    private final class Walk {
        private final Path sourceRoot;
        private final Map<String, LayerEntry> entries = new TreeMap<>(LayerPaths.ORDER);
        private final Map<String, List<Long>> inodeOf = new HashMap<>();

        Walk(Path sourceRoot) {
            this.sourceRoot = sourceRoot;
        }

        void children(Path dir, String rel) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path child : stream) {
                    names.add(child.getFileName().toString());
                }
            }
            names.sort(LayerPaths.ORDER);
            for (String name : names) {
                visit(dir.resolve(name), LayerPaths.join(rel, name));
            }
        }

        /** Adds {@code path} (recursively) if the filter says so; returns whether anything was added. */
        boolean visit(Path path, String rel) throws IOException {
            Map<String, Object> a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int type = (Integer) a.get("mode") & S_IFMT;
            Decision decision = options.filter().decide(rel, type == S_IFDIR);
            if (decision == Decision.EXCLUDE_TREE) {
                return false;
            }
            if (type != S_IFDIR) {
                if (decision == Decision.INCLUDE) {
                    add(path, rel, a);
                    return true;
                }
                return false;
            }
            int before = entries.size();
            children(path, rel);
            boolean childAdded = entries.size() > before;
            if (decision == Decision.INCLUDE || childAdded) {
                add(path, rel, a);
                return true;
            }
            return false;
        }

        /** Adds just this path, no recursion (ancestors of explicitly requested paths). */
        void single(Path path, String rel) throws IOException {
            add(path, rel, Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS));
        }

        private void add(Path path, String rel, Map<String, Object> a) throws IOException {
            int rawMode = (Integer) a.get("mode");
            int type = rawMode & S_IFMT;
            String layerPath = LayerPaths.join(options.destination(), rel);
            EntryAttributes attrs = new EntryAttributes(
                    options.mode() != null ? options.mode() : rawMode & 07777,
                    options.uid() != null ? options.uid() : ((Integer) a.get("uid")) & 0xffffffffL,
                    options.gid() != null ? options.gid() : ((Integer) a.get("gid")) & 0xffffffffL,
                    ((FileTime) a.get("lastModifiedTime")).toInstant(),
                    // Only files and directories: the JDK opens the path to read xattrs, which would block on
                    // a fifo or touch a device.
                    type == S_IFREG || type == S_IFDIR ? userXattrs(path) : Map.of());
            try {
                LayerEntry entry;
                switch (type) {
                    case S_IFDIR -> entry = new LayerEntry.Directory(layerPath, attrs);
                    case S_IFREG -> {
                        entry = new LayerEntry.RegularFile(layerPath, attrs, (Long) a.get("size"),
                                ContentSource.of(path));
                        if ((Integer) a.get("nlink") > 1) {
                            inodeOf.put(layerPath, List.of((Long) a.get("dev"), (Long) a.get("ino")));
                        }
                    }
                    case S_IFLNK -> entry = new LayerEntry.Symlink(layerPath, attrs,
                            Files.readSymbolicLink(path).toString());
                    case S_IFCHR, S_IFBLK -> {
                        long rdev = (Long) a.get("rdev");
                        entry = new LayerEntry.Device(layerPath, attrs,
                                type == S_IFCHR ? DeviceKind.CHARACTER : DeviceKind.BLOCK, major(rdev), minor(rdev));
                    }
                    case S_IFIFO -> entry = new LayerEntry.Fifo(layerPath, attrs);
                    case S_IFSOCK -> {
                        return; // tar has no socket type; Docker and BuildKit skip them too
                    }
                    default -> throw new IOException("unknown file type 0" + Integer.toOctalString(type) + ": " + path);
                }
                entries.put(layerPath, entry);
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot put " + sourceRoot.relativize(path) + " in a layer: " + e.getMessage(), e);
            }
        }

        /** Entries in layer order; the first path of each inode keeps the content, later ones link to it. */
        List<LayerEntry> result() {
            Map<List<Long>, String> firstPath = new HashMap<>();
            List<LayerEntry> out = new ArrayList<>(entries.size());
            for (LayerEntry e : entries.values()) {
                List<Long> inode = inodeOf.get(e.path());
                if (inode != null) {
                    String first = firstPath.putIfAbsent(inode, e.path());
                    if (first != null) {
                        out.add(new LayerEntry.Hardlink(e.path(), e.attributes(), first));
                        continue;
                    }
                }
                out.add(e);
            }
            return out;
        }
    }

    /** {@code path}'s xattrs, {@code user.*} only (the JDK reads no other namespace), full names, sorted; empty where the filesystem has none. */
    public static Map<String, byte[]> userXattrs(Path path) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Map.of();
        }
        Map<String, byte[]> out = new TreeMap<>();
        try {
            for (String name : view.list()) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                buf.flip();
                byte[] value = new byte[buf.remaining()];
                buf.get(value);
                out.put("user." + name, value);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Map.of();
        }
        return out;
    }

    /** The major number of a Linux {@code dev_t} ({@code unix:rdev}), as glibc's gnu_dev_major. */
    public static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    /** The minor number of a Linux {@code dev_t} ({@code unix:rdev}), as glibc's gnu_dev_minor. */
    public static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }

}
