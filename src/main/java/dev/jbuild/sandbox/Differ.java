package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds what a command changed by comparing the merged tree after the run with the lower tree, the same way
 * for both snapshotters so that they give identical changes:
 *
 * <ul>
 *   <li>a path that is gone is a whiteout (only the top-most gone path, not its children);</li>
 *   <li>a directory that was removed and created again (overlay: opaque upper dir; copy: a new inode) or that
 *       replaces a non-directory is written whole: opaque marker when a lower directory was there, the
 *       directory, and everything in it;</li>
 *   <li>anything else is written when its type, mode, owner, mtime, user xattrs, link target, device number or
 *       size differ, or, when all of those are equal, when its content or (a regular file) its file
 *       capabilities differ: {@code setcap} on a file changes nothing else;</li>
 *   <li>parents of written entries are written too (with their current attributes);</li>
 *   <li>written regular files sharing an inode become one file and hard links to it.</li>
 * </ul>
 * The snapshotter only decides where to look ({@link Scope}): overlay looks at the upper dir, copy at entries
 * whose inode or ctime moved since the copy was made.
 */
final class Differ {

    enum Kind { ENTRY, WHITEOUT, OPAQUE }

    /** One change: a visible node of the merged tree, or a deletion marker. */
    record Change(String path, Kind kind, LayerStack.Node node) {
    }

    /** A regular file of the merged tree and the lower file it equals in all but, perhaps, capabilities. */
    private record LookAlike(Change change, LayerStack.Node lower) {
    }

    /** Where changes can be, as the snapshotter knows it. */
    interface Scope {
        /** Names to examine in a directory present (as a directory, not recreated) in both trees. */
        TreeSet<String> names(String dir) throws IOException;

        /** True when the snapshotter proves {@code path} (and for a non-directory, its content) untouched. */
        boolean untouched(String path, LayerStack.Node merged) throws IOException;

        /** True when the directory at {@code path} is another directory than the lower one of that name. */
        boolean recreated(String path, LayerStack.Node merged) throws IOException;

        /** True when nothing below this directory can have changed (overlay: it is not in the upper dir). */
        boolean subtreeUntouched(String path) throws IOException;
    }

    private final LayerStack lower;
    private final LayerStack merged;
    private final Scope scope;
    private final FileCapabilities.Reader capabilityReader;
    /** Regular files equal to their lower file in all but capabilities, which are read in one batch at the end. */
    private final List<LookAlike> lookAlikes = new ArrayList<>();
    private Map<Path, byte[]> capabilities = Map.of();
    // Layer order, so a directory's subtree follows it directly; an opaque marker's key ("dir\0opq") sorts
    // right after its directory, before its children (LayerPaths.ORDER ranks NUL below '/').
    private final TreeMap<String, Change> changes = new TreeMap<>(LayerPaths.ORDER);

    Differ(LayerStack lower, LayerStack merged, Scope scope) {
        this(lower, merged, scope, FileCapabilities.NONE);
    }

    Differ(LayerStack lower, LayerStack merged, Scope scope, FileCapabilities.Reader capabilityReader) {
        this.lower = lower;
        this.merged = merged;
        this.scope = scope;
        this.capabilityReader = capabilityReader;
    }

    /** Changes in layer order (parents first). */
    List<Change> diff() throws IOException {
        directory("");
        compareCapabilities();
        // Parents of everything written.
        for (String p : new ArrayList<>(changes.keySet())) {
            for (String parent = LayerPaths.parent(p); !parent.isEmpty(); parent = LayerPaths.parent(parent)) {
                Change existing = changes.get(parent);
                if (existing != null && existing.kind() != Kind.WHITEOUT) {
                    continue;
                }
                Optional<LayerStack.Node> node = merged.lookup(parent);
                if (node.isPresent()) {
                    changes.put(parent, new Change(parent, Kind.ENTRY, node.get()));
                }
            }
        }
        return new ArrayList<>(changes.values());
    }

    private void directory(String dir) throws IOException {
        if (scope.subtreeUntouched(dir)) {
            return;
        }
        for (String name : scope.names(dir)) {
            entry(LayerPaths.join(dir, name));
        }
    }

    private void entry(String path) throws IOException {
        Optional<LayerStack.Node> m = merged.lookup(path);
        Optional<LayerStack.Node> l = lower.lookup(path);
        if (m.isEmpty()) {
            if (l.isPresent()) {
                put(new Change(path, Kind.WHITEOUT, null));
            }
            return;
        }
        LayerStack.Node node = m.get();
        if (node.type() == LayerStack.S_IFSOCK) {
            return; // tar cannot hold sockets
        }
        if (node.isDirectory()) {
            if (l.isEmpty()) {
                addAll(path, node);
                return;
            }
            if (!l.get().isDirectory() || scope.recreated(path, node)) {
                // An opaque marker only when it hides something: the copy snapshotter cannot tell an empty
                // directory recreated on a reused inode number from one whose mtime changed, overlay can.
                if (l.get().isDirectory() && !lower.list(path).isEmpty()) {
                    put(new Change(path, Kind.OPAQUE, null));
                }
                addAll(path, node);
                return;
            }
            if (!scope.untouched(path, node) && !sameAttributes(node, l.get())) {
                put(new Change(path, Kind.ENTRY, node));
            }
            directory(path);
            return;
        }
        if (scope.untouched(path, node)) {
            return;
        }
        if (l.isEmpty() || !same(node, l.get())) {
            put(new Change(path, Kind.ENTRY, node));
        } else if (node.type() == LayerStack.S_IFREG) {
            lookAlikes.add(new LookAlike(new Change(path, Kind.ENTRY, node), l.get()));
        }
    }

    /**
     * One batch for the capabilities of every written regular file (the layer keeps them) and of both sides of
     * every look-alike; a look-alike whose capabilities changed is written.
     */
    private void compareCapabilities() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Change c : changes.values()) {
            if (c.kind() == Kind.ENTRY && c.node().type() == LayerStack.S_IFREG) {
                files.add(c.node().path());
            }
        }
        for (LookAlike a : lookAlikes) {
            files.add(a.change().node().path());
            files.add(a.lower().path());
        }
        capabilities = capabilityReader.read(files);
        for (LookAlike a : lookAlikes) {
            if (!Arrays.equals(capabilities.get(a.change().node().path()), capabilities.get(a.lower().path()))) {
                put(a.change());
            }
        }
    }

    /** After {@link #diff()}: the file capabilities of the written regular files that have any. */
    byte[] capabilities(LayerStack.Node node) {
        return capabilities.get(node.path());
    }

    private void addAll(String path, LayerStack.Node node) throws IOException {
        if (node.type() == LayerStack.S_IFSOCK) {
            return;
        }
        put(new Change(path, Kind.ENTRY, node));
        if (node.isDirectory()) {
            for (Map.Entry<String, LayerStack.Node> c : merged.children(path).entrySet()) {
                addAll(LayerPaths.join(path, c.getKey()), c.getValue());
            }
        }
    }

    private void put(Change c) {
        // An opaque marker and its directory share a path; keep both under distinct keys.
        changes.put(c.kind() == Kind.OPAQUE ? c.path() + "\0opq" : c.path(), c);
    }

    static boolean sameAttributes(LayerStack.Node a, LayerStack.Node b) {
        if (a.type() != b.type() || a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid()
                || !a.mtime().equals(b.mtime())) {
            return false;
        }
        Map<String, byte[]> xa = LayerStack.userXattrs(a);
        Map<String, byte[]> xb = LayerStack.userXattrs(b);
        if (!xa.keySet().equals(xb.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : xa.entrySet()) {
            if (!Arrays.equals(e.getValue(), xb.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Same type, attributes and content (content read only when everything else is equal). */
    static boolean same(LayerStack.Node a, LayerStack.Node b) throws IOException {
        if (!sameAttributes(a, b)) {
            return false;
        }
        return switch (a.type()) {
            case LayerStack.S_IFLNK -> Files.readSymbolicLink(a.path()).equals(Files.readSymbolicLink(b.path()));
            case LayerStack.S_IFCHR, LayerStack.S_IFBLK -> a.rdev() == b.rdev();
            case LayerStack.S_IFREG -> a.size() == b.size() && Files.mismatch(a.path(), b.path()) == -1;
            default -> true;
        };
    }

    /** Inode key for hard-link grouping. */
    static List<Long> inode(LayerStack.Node n) {
        return List.of(n.dev(), n.ino());
    }

    /** Groups written regular files by inode: path → first path of the same inode, for the later ones. */
    static Map<String, String> hardlinks(List<Change> changes) {
        Map<List<Long>, String> first = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        for (Change c : changes) {
            if (c.kind() != Kind.ENTRY || c.node().type() != LayerStack.S_IFREG || c.node().nlink() < 2) {
                continue;
            }
            String existing = first.putIfAbsent(inode(c.node()), c.path());
            if (existing != null) {
                links.put(c.path(), existing);
            }
        }
        return links;
    }

}
