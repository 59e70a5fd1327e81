package dev.jbuild.export;

import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The file tree an image's layers make, built from the layers' metadata alone: what
 * {@link dev.jbuild.layer.LayerExtractor} would leave on disk, without the disk. File contents
 * stay in the layers; each surviving file remembers which layer entry holds them
 * ({@link ContentKey}).
 *
 * <p>The rules are the extractor's (Docker's and containerd's): a whiteout or opaque marker hides
 * only what lower layers put there; a later entry replaces an earlier one at the same path except
 * that a directory over a directory only changes its attributes; parents are resolved with
 * symlinks followed inside the root and created (0755, 0:0) when missing; a hard link names an
 * existing non-directory and shares its inode, so it keeps that content even if the original
 * path is replaced later.
 */
final class MergedTree {

    /** Where a file's content lies: the {@code ordinal}-th entry (0-based) of layer {@code layer}. */
    record ContentKey(int layer, long ordinal) {}

    /** Opens the content of a surviving regular file when the output needs it. */
    @FunctionalInterface
    interface ContentOpener {
        InputStream open(ContentKey key) throws IOException;
    }

    /** One layer entry and its position in the layer. */
    record Positioned(LayerEntry entry, long ordinal) {}

    /** What the tree holds at a non-directory path; hard links share one. */
    private static final class Inode {
        final LayerEntry entry; // its path is where it was first written; only the metadata is used
        final ContentKey content; // regular files only

        Inode(LayerEntry entry, ContentKey content) {
            this.entry = entry;
            this.content = content;
        }
    }

    private static final class Node {
        EntryAttributes directoryAttributes; // set for directories
        final TreeMap<String, Node> children; // directories only; sorted as layers are written
        final Inode inode; // everything else

        private Node(EntryAttributes directoryAttributes, Inode inode) {
            this.directoryAttributes = directoryAttributes;
            this.children = directoryAttributes == null ? null : new TreeMap<>(LayerPaths.ORDER);
            this.inode = inode;
        }

        static Node directory(EntryAttributes attributes) {
            return new Node(attributes, null);
        }

        static Node leaf(Inode inode) {
            return new Node(null, inode);
        }

        boolean isDirectory() {
            return directoryAttributes != null;
        }

        boolean isSymlink() {
            return inode != null && inode.entry instanceof LayerEntry.Symlink;
        }
    }

    private static final EntryAttributes IMPLICIT_DIRECTORY = EntryAttributes.of(0755);
    private static final ContentSource NOT_READ_HERE = () -> {
        throw new IllegalStateException("layer content is read through MergedTree.entries");
    };

    private final Node root = Node.directory(IMPLICIT_DIRECTORY);

    /**
     * Applies one layer, given its entries in tar order. Whiteouts go first: they hide only lower
     * content, so applying them before the layer's own entries is the same as skipping this
     * layer's paths when they are applied in place.
     */
    void apply(int layer, List<Positioned> entries) throws ExportException {
        for (Positioned p : entries) {
            if (p.entry() instanceof LayerEntry.Whiteout w) {
                Node parent = resolveDirectory(parent(w.path()), false);
                if (parent != null) {
                    parent.children.remove(baseName(w.path()));
                }
            } else if (p.entry() instanceof LayerEntry.OpaqueWhiteout o) {
                Node dir = o.path().isEmpty() ? root : resolveDirectory(o.path(), false);
                if (dir != null) {
                    dir.children.clear();
                }
            }
        }
        for (Positioned p : entries) {
            LayerEntry e = p.entry();
            if (e instanceof LayerEntry.Whiteout || e instanceof LayerEntry.OpaqueWhiteout) {
                continue;
            }
            Node parent = resolveDirectory(parent(e.path()), true);
            String name = baseName(e.path());
            if (parent == null) {
                throw new ExportException("cannot place " + e.path() + ": a parent is not a directory");
            }
            if (e instanceof LayerEntry.Directory d) {
                Node existing = parent.children.get(name);
                if (existing != null && existing.isDirectory()) {
                    existing.directoryAttributes = d.attributes();
                } else {
                    parent.children.put(name, Node.directory(d.attributes()));
                }
            } else if (e instanceof LayerEntry.Hardlink h) {
                Node target = lookup(h.target());
                if (target == null) {
                    throw new ExportException("layer " + (layer + 1) + ": hard link " + h.path() + " points to "
                            + h.target() + ", which does not exist");
                }
                if (target.isDirectory()) {
                    throw new ExportException("layer " + (layer + 1) + ": hard link " + h.path()
                            + " points to a directory: " + h.target());
                }
                if (parent.children.get(name) == target) {
                    throw new ExportException("layer " + (layer + 1) + ": hard link " + h.path() + " points to itself");
                }
                parent.children.put(name, Node.leaf(target.inode));
            } else if (e instanceof LayerEntry.RegularFile f) {
                LayerEntry metadata = new LayerEntry.RegularFile(f.path(), f.attributes(), f.size(), NOT_READ_HERE);
                parent.children.put(name, Node.leaf(new Inode(metadata, new ContentKey(layer, p.ordinal()))));
            } else {
                parent.children.put(name, Node.leaf(new Inode(e, null)));
            }
        }
    }

    /** Where the content of every file the output will contain lies (hard links counted once). */
    Set<ContentKey> neededContent() {
        Set<ContentKey> keys = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            for (Node child : todo.pop().children.values()) {
                if (child.isDirectory()) {
                    todo.push(child);
                } else if (child.inode.content != null) {
                    keys.add(child.inode.content);
                }
            }
        }
        return keys;
    }

    /**
     * The tree as layer entries in writing order (the root itself excluded). A file's first path
     * carries the content, opened through {@code opener} when the writer reaches it; its other
     * paths become hard links to that one.
     */
    List<LayerEntry> entries(ContentOpener opener) {
        return entries(opener, "");
    }

    /** {@link #entries(ContentOpener)} below the directory {@code prefix} (not included), hard links' targets too. */
    List<LayerEntry> entries(ContentOpener opener, String prefix) {
        List<LayerEntry> out = new ArrayList<>();
        emit(root, prefix, opener, new IdentityHashMap<>(), out);
        return out;
    }

    private static void emit(Node dir, String path, ContentOpener opener, Map<Inode, String> firstPath,
            List<LayerEntry> out) {
        for (Map.Entry<String, Node> child : dir.children.entrySet()) {
            String childPath = path.isEmpty() ? child.getKey() : path + "/" + child.getKey();
            Node node = child.getValue();
            if (node.isDirectory()) {
                out.add(new LayerEntry.Directory(childPath, node.directoryAttributes));
                emit(node, childPath, opener, firstPath, out);
                continue;
            }
            Inode inode = node.inode;
            String first = firstPath.putIfAbsent(inode, childPath);
            if (first != null) {
                out.add(new LayerEntry.Hardlink(childPath, inode.entry.attributes(), first));
            } else {
                out.add(relocate(inode, childPath, opener));
            }
        }
    }

    private static LayerEntry relocate(Inode inode, String path, ContentOpener opener) {
        LayerEntry e = inode.entry;
        if (e instanceof LayerEntry.RegularFile f) {
            ContentKey key = inode.content;
            return new LayerEntry.RegularFile(path, f.attributes(), f.size(), () -> opener.open(key));
        }
        if (e instanceof LayerEntry.Symlink s) {
            return new LayerEntry.Symlink(path, s.attributes(), s.target());
        }
        if (e instanceof LayerEntry.Device d) {
            return new LayerEntry.Device(path, d.attributes(), d.kind(), d.major(), d.minor());
        }
        if (e instanceof LayerEntry.Fifo f) {
            return new LayerEntry.Fifo(path, f.attributes());
        }
        throw new IllegalStateException("unexpected entry in the merged tree: " + e);
    }

    /** The node at {@code path}, its parents resolved (symlinks followed), the last component not followed. */
    private Node lookup(String path) throws ExportException {
        if (path.isEmpty()) {
            return root;
        }
        Node parent = resolveDirectory(parent(path), false);
        return parent == null ? null : parent.children.get(baseName(path));
    }

    /**
     * The directory {@code path} names, symlinks followed inside the root by the one resolver
     * ({@link RootedResolver}, as the extractor does when it applies a layer to a directory). Missing
     * components are created when {@code create}, else null is returned. A component that is not a
     * directory is an error when creating (the extractor cannot place anything below a file either)
     * and null otherwise.
     */
    private Node resolveDirectory(String path, boolean create) throws ExportException {
        RootedResolver.Resolved resolved;
        try {
            resolved = create ? RootedResolver.forWriting(this::entryAt, path, true)
                    : RootedResolver.lookup(this::entryAt, path, true).orElse(null);
        } catch (IOException e) { // TooManyLinksException; the tree in memory raises nothing else
            throw new ExportException(e.getMessage());
        }
        if (resolved == null || !create && !resolved.isDirectory()) {
            return null;
        }
        Node current = root;
        for (String part : components(resolved.path())) {
            Node next = current.children.get(part);
            if (next == null) {
                next = Node.directory(IMPLICIT_DIRECTORY);
                current.children.put(part, next);
            } else if (!next.isDirectory()) {
                throw new ExportException("cannot create entries below " + path + ": " + part + " is not a directory");
            }
            current = next;
        }
        return current;
    }

    /** What the tree holds at exactly {@code path}, for the resolver (which asks only below directories). */
    private RootedResolver.Entry entryAt(String path) {
        Node node = root;
        for (String part : components(path)) {
            node = node.children == null ? null : node.children.get(part);
            if (node == null) {
                return RootedResolver.Entry.MISSING;
            }
        }
        if (node.isDirectory()) {
            return RootedResolver.Entry.DIRECTORY;
        }
        return node.isSymlink() ? new RootedResolver.Entry.Symlink(((LayerEntry.Symlink) node.inode.entry).target())
                : RootedResolver.Entry.OTHER;
    }

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
