package dev.jbuild.sandbox;

import dev.jbuild.layer.DirectoryWalker;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The merged view of directories stacked the way overlayfs stacks lower dirs (top first), computed without
 * mounting: whiteouts hide, opaque directories hide everything below them in lower layers, a non-directory
 * hides a lower directory. Read-only. Paths are '/'-separated names as {@link RawNames} carries them, and host
 * paths are made from them with {@link RawNames#child}, so names that are not UTF-8 are found and kept.
 */
final class LayerStack {
    static final int S_IFMT = 0170000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;
    static final int S_IFSOCK = 0140000;

    static final String OVERLAY_XATTR_PREFIX = "user.overlay.";

    /** One real file of some layer, with its {@code unix:*} attributes. */
    record Node(Path path, Map<String, Object> attrs) {
        int type() {
            return (Integer) attrs.get("mode") & S_IFMT;
        }

        boolean isDirectory() {
            return type() == S_IFDIR;
        }

        int mode() {
            return (Integer) attrs.get("mode") & 07777;
        }

        long uid() {
            return ((Integer) attrs.get("uid")) & 0xffffffffL;
        }

        long gid() {
            return ((Integer) attrs.get("gid")) & 0xffffffffL;
        }

        long size() {
            return (Long) attrs.get("size");
        }

        long ino() {
            return (Long) attrs.get("ino");
        }

        long dev() {
            return (Long) attrs.get("dev");
        }

        long rdev() {
            return (Long) attrs.get("rdev");
        }

        int nlink() {
            return (Integer) attrs.get("nlink");
        }

        FileTime mtime() {
            return (FileTime) attrs.get("lastModifiedTime");
        }

        FileTime ctime() {
            return (FileTime) attrs.get("ctime");
        }
    }

    private final List<Path> layers;

    LayerStack(List<Path> layersTopFirst) {
        this.layers = List.copyOf(layersTopFirst);
    }

    /** The visible node at {@code rel} ("" is the root of the top layer), if any. */
    Optional<Node> lookup(String rel) throws IOException {
        String[] parts = rel.isEmpty() ? new String[0] : rel.split("/");
        for (Path layer : layers) {
            Path current = layer;
            boolean opaqueAbove = false;
            boolean found = true;
            if (parts.length == 0) {
                Map<String, Object> a = lstat(layer);
                if (a != null) {
                    return Optional.of(new Node(layer, a));
                }
                continue;
            }
            for (int i = 0; i < parts.length; i++) {
                current = RawNames.child(current, parts[i]);
                Map<String, Object> a = lstat(current);
                if (a == null) {
                    found = false;
                    break;
                }
                Node node = new Node(current, a);
                if (i == parts.length - 1) {
                    return isWhiteout(node) ? Optional.empty() : Optional.of(node);
                }
                if (!node.isDirectory()) {
                    return Optional.empty(); // a whiteout or non-directory hides everything below it
                }
                if (isOpaque(current)) {
                    opaqueAbove = true;
                }
            }
            if (!found && opaqueAbove) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Names visible in the directory {@code rel}, sorted. */
    TreeSet<String> list(String rel) throws IOException {
        TreeSet<String> candidates = new TreeSet<>();
        for (Path layer : layers) {
            Path dir = RawNames.child(layer, rel);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            candidates.addAll(names(dir));
        }
        if (layers.size() == 1) {
            return candidates; // a single tree has no whiteouts to honour (except stray markers, checked below)
        }
        TreeSet<String> visible = new TreeSet<>();
        for (String name : candidates) {
            if (lookup(LayerPaths.join(rel, name)).isPresent()) {
                visible.add(name);
            }
        }
        return visible;
    }

    /**
     * The visible entries of the directory {@code rel} (itself visible) with their nodes, sorted by name, as
     * {@link #list} and a {@link #lookup} of each would give them. A directory only the top layer has (what a
     * step made: its whole tree is written) is read with one lstat per entry, not a walk from the root for
     * each; one that lower layers have too goes through {@link #lookup}.
     */
    TreeMap<String, Node> children(String rel) throws IOException {
        TreeMap<String, Node> out = new TreeMap<>();
        if (onlyInTop(rel)) {
            Path dir = RawNames.child(layers.get(0), rel);
            for (String name : names(dir)) {
                Path path = RawNames.child(dir, name);
                Map<String, Object> a = lstat(path);
                if (a != null) {
                    Node node = new Node(path, a);
                    if (!isWhiteout(node)) {
                        out.put(name, node);
                    }
                }
            }
            return out;
        }
        for (String name : list(rel)) {
            Optional<Node> node = lookup(LayerPaths.join(rel, name));
            if (node.isPresent()) {
                out.put(name, node.get());
            }
        }
        return out;
    }

    /** Whether no layer below the top one has {@code rel} as a directory (nothing there to merge or hide). */
    private boolean onlyInTop(String rel) {
        for (int i = 1; i < layers.size(); i++) {
            if (Files.isDirectory(RawNames.child(layers.get(i), rel), LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    /** The names in a directory, byte for byte ({@link RawNames}): they become layer paths as they are. */
    static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                out.add(RawNames.fileName(p));
            }
        }
        return out;
    }

    static Map<String, Object> lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }

    static boolean isWhiteout(Node n) throws IOException {
        if (n.type() == S_IFCHR && n.rdev() == 0) {
            return true;
        }
        return n.type() == S_IFREG && n.size() == 0 && xattr(n.path(), "overlay.whiteout") != null;
    }

    static boolean isOpaque(Path dir) throws IOException {
        byte[] v = xattr(dir, "overlay.opaque");
        return v != null && v.length == 1 && v[0] == 'y';
    }

    /** A {@code user.} xattr (name without the prefix), or null. */
    static byte[] xattr(Path p, String name) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return null;
        }
        try {
            if (!view.list().contains(name)) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate(view.size(name));
            view.read(name, buf);
            buf.flip();
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * {@code user.*} xattrs except overlayfs' own, full names, sorted. Only regular files and directories have
     * them (Linux allows no others), and only they are asked: the JDK opens a file to list its xattrs, and
     * opening a FIFO waits for a writer forever.
     */
    static Map<String, byte[]> userXattrs(Node n) {
        if (n.type() != S_IFREG && n.type() != S_IFDIR) {
            return Map.of();
        }
        Map<String, byte[]> out = new TreeMap<>(DirectoryWalker.userXattrs(n.path()));
        out.keySet().removeIf(name -> name.startsWith(OVERLAY_XATTR_PREFIX));
        return out;
    }
}
