package dev.jbuild.engine.fs;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The merged file tree of a stage: every layer applied in order (whiteouts included), metadata in
 * memory, file content referenced rather than held. It answers what COPY, WORKDIR and --chown need
 * to know about the image without unpacking it: does a path exist, is it a directory, what is in
 * /etc/passwd, and which bytes does a file have.
 *
 * <p>Paths are relative to the root, without leading or trailing slash, as in {@link LayerEntry}.
 */
public final class FsView {

    /** Where a regular file's bytes are. */
    public sealed interface Content {
        /** Bytes we can open directly: a context file, a heredoc, a file written by this build. */
        record Direct(ContentSource source) implements Content {}

        /** A file of a base layer: read by streaming that layer blob again. */
        record InLayer(Digest blob, String path) implements Content {}
    }

    /**
     * What a path that is not a directory holds, as an inode does: the entry that made it (a regular file,
     * symlink, device or FIFO; only its type, size, link target and device numbers are used, not its path)
     * and a regular file's content. Hard links share the one of the path they name <em>as it was when the
     * link was applied</em>, so replacing or removing that path later changes nothing for the link (what
     * extracting the layers leaves on disk). Compared by identity: two paths with the same instance are
     * hard links of each other.
     */
    public static final class Inode {
        private final LayerEntry entry;
        private final Content content;

        Inode(LayerEntry entry, Content content) {
            this.entry = entry;
            this.content = content;
        }

        /** The entry that made this inode: never a hard link or a directory. */
        public LayerEntry entry() {
            return entry;
        }
    }

    /**
     * One path of the tree; {@code layer} is the index of the layer that last wrote it. {@code inode} is
     * null for directories, and for a hard link whose target did not exist.
     */
    public record Node(LayerEntry entry, int layer, Inode inode) {
        boolean isDirectory() {
            return entry instanceof LayerEntry.Directory;
        }

        public String path() {
            return entry.path();
        }

        /** Where this path's bytes are (a hard link's are its target's): null when it is not a regular file with content. */
        public Content content() {
            return inode == null ? null : inode.content;
        }
    }

    private final Map<String, Node> nodes;
    private final Map<String, TreeSet<String>> children;
    private int layers;

    public FsView() {
        this(new HashMap<>(), new HashMap<>(), 0);
    }

    private FsView(Map<String, Node> nodes, Map<String, TreeSet<String>> children, int layers) {
        this.nodes = nodes;
        this.children = children;
        this.layers = layers;
    }

    /** An independent copy, for a stage that starts from another stage. */
    public FsView copy() {
        Map<String, TreeSet<String>> childrenCopy = new HashMap<>();
        children.forEach((dir, names) -> childrenCopy.put(dir, new TreeSet<>(names)));
        return new FsView(new HashMap<>(nodes), childrenCopy, layers);
    }

    /** Starts the next layer; entries applied until the next call belong to it. */
    public int beginLayer() {
        return ++layers;
    }

    /** Applies one entry of the current layer, with the OCI layer rules for whiteouts. */
    public void apply(LayerEntry entry, Content content) {
        int layer = layers;
        if (entry instanceof LayerEntry.Whiteout whiteout) {
            Node existing = nodes.get(whiteout.path());
            if (existing != null && existing.layer() < layer) {
                removeTree(whiteout.path());
            }
            return;
        }
        if (entry instanceof LayerEntry.OpaqueWhiteout opaque) {
            for (String name : List.copyOf(children.getOrDefault(opaque.path(), new TreeSet<>()))) {
                String child = LayerPaths.join(opaque.path(), name);
                if (nodes.get(child).layer() < layer) {
                    removeTree(child);
                }
            }
            return;
        }
        String path = entry.path();
        ensureParents(path, layer);
        Inode inode = null;
        if (entry instanceof LayerEntry.Hardlink link) {
            Node target = linkTarget(link);
            if (target != null && target.path().equals(path)) {
                return; // a link to itself ("tar cf x.tar f f"): the file is already there
            }
            inode = target == null ? null : target.inode();
        } else if (!(entry instanceof LayerEntry.Directory)) {
            inode = new Inode(entry, entry instanceof LayerEntry.RegularFile ? content : null);
        }
        Node existing = nodes.get(path);
        if (existing != null && !(existing.isDirectory() && entry instanceof LayerEntry.Directory)) {
            removeTree(path);
        }
        nodes.put(path, new Node(entry, layer, inode));
        children.computeIfAbsent(LayerPaths.parent(path), k -> new TreeSet<>()).add(LayerPaths.baseName(path));
    }

    /**
     * The node a hard link names, resolved now as the extractor resolves it (the parent through symlinks
     * inside the tree, the last component not followed); null when it is missing or a directory.
     */
    private Node linkTarget(LayerEntry.Hardlink link) {
        try {
            Node target = locate(link.target(), false).map(at -> nodes.get(at.path())).orElse(null);
            return target == null || target.isDirectory() ? null : target;
        } catch (IOException e) { // too many links on the way: as a missing target
            return null;
        }
    }

    /** The node stored at exactly {@code cleanPath}, symlinks not considered; null when there is none (and for the root). */
    Node node(String cleanPath) {
        return nodes.get(cleanPath);
    }

    /** True when {@code path} (symlinks followed) is a directory; the root always is. */
    public boolean isDirectory(String path) throws IOException {
        return locate(path, true).map(RootedResolver.Resolved::isDirectory).orElse(false);
    }

    /**
     * Where {@code path} leads in this tree and what is there, for reading: the path is clean
     * ({@code ""} for the root, which has no {@link Node} but is a directory). Resolved by
     * {@link RootedResolver}, as every other tree jbuild reads. Empty when something on the way is
     * missing or not a directory.
     *
     * @param followLast whether a symlink in the last component is followed
     * @throws dev.jbuild.layer.TooManyLinksException after 255 links
     */
    Optional<RootedResolver.Resolved> locate(String path, boolean followLast) throws IOException {
        return RootedResolver.lookup(this::entryAt, path, followLast);
    }

    /**
     * The path to write {@code path} at, as containerd's {@code fs.RootPath} gives BuildKit's copy
     * destinations, WORKDIR and ADD targets: every existing component resolved through symlinks
     * (inside this tree), the last one too, so a link to a file is written through and a dangling
     * link leads to the path its target names; a missing part is kept as written, for the caller
     * to create.
     */
    public String writePath(String path) throws IOException {
        return RootedResolver.forWriting(this::entryAt, path, true).path();
    }

    /**
     * For a writer that needs {@code path} (resolved by {@link #writePath}) to be a directory: true
     * when nothing is there yet, false when it is a directory. Anything else fails as BuildKit's
     * {@code MkdirAll} does ({@code mkdir /x: not a directory}) instead of being replaced.
     */
    public boolean mustCreateDirectory(String path) throws IOException {
        Optional<RootedResolver.Resolved> at = locate(path, true);
        if (at.isEmpty()) {
            return true; // missing, or below a file: that file fails when the caller gets to it
        }
        if (at.get().isDirectory()) {
            return false;
        }
        throw new FileSystemException(LayerPaths.absolute(path), null, "not a directory");
    }

    /**
     * What is stored at exactly {@code cleanPath} (an lstat: no symlink on the way or at the end is followed),
     * as much of it as path resolution needs: this view as a {@link RootedResolver.Root}.
     */
    public RootedResolver.Entry entryAt(String cleanPath) {
        if (cleanPath.isEmpty()) {
            return RootedResolver.Entry.DIRECTORY;
        }
        Node node = nodes.get(cleanPath);
        if (node == null) {
            return RootedResolver.Entry.MISSING;
        }
        if (node.isDirectory()) {
            return RootedResolver.Entry.DIRECTORY;
        }
        // A hard link is what it named when it was made (in practice a file; a link to a symlink is one too).
        LayerEntry shape = node.inode() != null ? node.inode().entry() : node.entry();
        return shape instanceof LayerEntry.Symlink link
                ? new RootedResolver.Entry.Symlink(link.target())
                : RootedResolver.Entry.OTHER; // a file, a hard link or a device: all end a walk
    }

    /** The entries directly inside {@code directory}, sorted by name. */
    List<Node> list(String directory) {
        String dir = LayerPaths.clean(directory);
        List<Node> result = new ArrayList<>();
        for (String name : children.getOrDefault(dir, new TreeSet<>())) {
            result.add(nodes.get(LayerPaths.join(dir, name)));
        }
        return result;
    }

    /** Every node, for walking a whole subtree; {@code prefix} "" means all. */
    public List<Node> subtree(String prefix) {
        List<Node> result = new ArrayList<>();
        collect(LayerPaths.clean(prefix), result);
        return result;
    }

    private void collect(String dir, List<Node> into) {
        for (String name : children.getOrDefault(dir, new TreeSet<>())) {
            String path = LayerPaths.join(dir, name);
            Node node = nodes.get(path);
            into.add(node);
            if (node.isDirectory()) {
                collect(path, into);
            }
        }
    }

    private void ensureParents(String path, int layer) {
        String parent = LayerPaths.parent(path);
        if (parent.isEmpty() || nodes.containsKey(parent) && nodes.get(parent).isDirectory()) {
            return;
        }
        ensureParents(parent, layer);
        if (nodes.containsKey(parent)) {
            removeTree(parent);
        }
        // Tars may omit parent directories; the extractor creates them like this too.
        nodes.put(parent, new Node(new LayerEntry.Directory(parent, EntryAttributes.of(0755)), layer, null));
        children.computeIfAbsent(LayerPaths.parent(parent), k -> new TreeSet<>()).add(LayerPaths.baseName(parent));
    }

    private void removeTree(String path) {
        Node node = nodes.remove(path);
        if (node == null) {
            return;
        }
        TreeSet<String> siblings = children.get(LayerPaths.parent(path));
        if (siblings != null) {
            siblings.remove(LayerPaths.baseName(path));
        }
        TreeSet<String> below = children.remove(path);
        if (below != null) {
            for (String name : below) {
                removeTreeBelow(LayerPaths.join(path, name));
            }
        }
    }

    private void removeTreeBelow(String path) {
        nodes.remove(path);
        TreeSet<String> below = children.remove(path);
        if (below != null) {
            for (String name : below) {
                removeTreeBelow(LayerPaths.join(path, name));
            }
        }
    }

    /**
     * Reads the small files (at most 1 MiB each, such as /etc/passwd) among {@code paths} that exist as
     * regular files, keyed by path; files of one layer blob are read in one pass over it.
     */
    public Map<String, byte[]> readSmallFiles(List<String> paths, ContentReader reader) throws IOException {
        Map<String, Node> wanted = new LinkedHashMap<>(); // asked path to the node it resolves to
        for (String path : paths) {
            Node node = locate(path, true).map(at -> nodes.get(at.path())).orElse(null);
            if (node != null && node.inode() != null && node.inode().entry() instanceof LayerEntry.RegularFile file
                    && file.size() <= (1 << 20)) {
                wanted.put(path, node);
            }
        }
        if (wanted.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> byNodePath = reader.readSmall(List.copyOf(new LinkedHashSet<>(wanted.values())));
        Map<String, byte[]> result = new LinkedHashMap<>();
        wanted.forEach((path, node) -> result.put(path, byNodePath.get(node.path())));
        return result;
    }

    /** Opens the content of nodes; implemented by the builder, which knows where layer blobs are. */
    public interface ContentReader {
        /** The bytes of {@code nodes}, small regular files, keyed by their paths. */
        Map<String, byte[]> readSmall(List<Node> nodes) throws IOException;
    }
}
