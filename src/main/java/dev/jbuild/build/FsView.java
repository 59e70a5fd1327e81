package dev.jbuild.build;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
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
final class FsView {

    private static final int MAX_SYMLINK_HOPS = 255;

    /** Where a regular file's bytes are. */
    sealed interface Content {
        /** Bytes we can open directly: a context file, a heredoc, a file written by this build. */
        record Direct(ContentSource source) implements Content {}

        /** A file of a base layer: read by streaming that layer blob again. */
        record InLayer(Digest blob, String path) implements Content {}
    }

    /** One path of the tree; {@code layer} is the index of the layer that last wrote it. */
    record Node(LayerEntry entry, Content content, int layer) {
        boolean isDirectory() {
            return entry instanceof LayerEntry.Directory;
        }

        String path() {
            return entry.path();
        }
    }

    private final Map<String, Node> nodes;
    private final Map<String, TreeSet<String>> children;
    private int layers;

    FsView() {
        this(new HashMap<>(), new HashMap<>(), 0);
    }

    private FsView(Map<String, Node> nodes, Map<String, TreeSet<String>> children, int layers) {
        this.nodes = nodes;
        this.children = children;
        this.layers = layers;
    }

    /** An independent copy, for a stage that starts from another stage. */
    FsView copy() {
        Map<String, TreeSet<String>> childrenCopy = new HashMap<>();
        children.forEach((dir, names) -> childrenCopy.put(dir, new TreeSet<>(names)));
        return new FsView(new HashMap<>(nodes), childrenCopy, layers);
    }

    /** Starts the next layer; entries applied until the next call belong to it. */
    int beginLayer() {
        return ++layers;
    }

    /** Applies one entry of the current layer, with the OCI layer rules for whiteouts. */
    void apply(LayerEntry entry, Content content) {
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
        Node existing = nodes.get(path);
        if (existing != null && !(existing.isDirectory() && entry instanceof LayerEntry.Directory)) {
            removeTree(path);
        }
        nodes.put(path, new Node(entry, content, layer));
        children.computeIfAbsent(LayerPaths.parent(path), k -> new TreeSet<>()).add(LayerPaths.baseName(path));
    }

    /** The node at {@code path} without following a symlink in its last component. */
    Optional<Node> lookup(String path) {
        return resolve(path, false);
    }

    /** The node at {@code path}, following symlinks everywhere (inside this tree). */
    Optional<Node> follow(String path) {
        return resolve(path, true);
    }

    /** True when {@code path} (symlinks followed) is a directory; the root always is. */
    boolean isDirectory(String path) {
        String clean = LayerPaths.clean(path);
        return clean.isEmpty() || follow(clean).map(Node::isDirectory).orElse(false);
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
    List<Node> subtree(String prefix) {
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

    /**
     * Resolves a path inside this tree the way a chrooted process would: {@code ..} stops at the
     * root, absolute symlink targets start at the root, and nothing ever leads outside.
     */
    private Optional<Node> resolve(String path, boolean followLast) {
        List<String> pending = new ArrayList<>(components(path));
        List<String> resolved = new ArrayList<>();
        int hops = 0;
        Node current = null;
        while (!pending.isEmpty()) {
            String part = pending.remove(0);
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                current = null;
                continue;
            }
            resolved.add(part);
            Node node = nodes.get(String.join("/", resolved));
            if (node == null) {
                return Optional.empty();
            }
            boolean last = pending.isEmpty();
            if (node.entry() instanceof LayerEntry.Symlink link && (!last || followLast)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    return Optional.empty();
                }
                resolved.remove(resolved.size() - 1);
                if (link.target().startsWith("/")) {
                    resolved.clear();
                }
                pending.addAll(0, components(link.target()));
                current = null;
                continue;
            }
            if (!last && !node.isDirectory()) {
                return Optional.empty();
            }
            current = node;
        }
        return Optional.ofNullable(current);
    }

    /** The path a lookup ends at, symlinks in the parents resolved; for writing "through" a path. */
    String resolveParents(String path) {
        String clean = LayerPaths.clean(path);
        if (clean.isEmpty()) {
            return clean;
        }
        String parent = LayerPaths.parent(clean);
        if (parent.isEmpty()) {
            return clean;
        }
        return follow(parent).map(node -> LayerPaths.join(node.path(), LayerPaths.baseName(clean))).orElse(clean);
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
        nodes.put(parent, new Node(new LayerEntry.Directory(parent, EntryAttributes.of(0755)), null, layer));
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

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** Reads a whole small file (such as /etc/passwd) when it exists as a regular file. */
    Optional<byte[]> readSmallFile(String path, ContentReader reader) throws IOException {
        Optional<Node> node = follow(path);
        if (node.isEmpty() || !(node.get().entry() instanceof LayerEntry.RegularFile file) || file.size() > (1 << 20)) {
            return Optional.empty();
        }
        return Optional.of(reader.readAll(node.get()));
    }

    /** Opens the content of nodes; implemented by the builder, which knows where layer blobs are. */
    interface ContentReader {
        byte[] readAll(Node node) throws IOException;
    }
}
