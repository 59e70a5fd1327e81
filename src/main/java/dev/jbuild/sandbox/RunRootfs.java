package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A run's root filesystem as its snapshotter makes it, and what the diff compares it with: with overlay,
 * the image's layers as lower dirs of an overlay mount at {@code merged} whose upper dir gets the changes;
 * with copy, the layers copied into {@code merged}, which is then its own upper dir, and each entry's inode
 * and ctime noted to tell the command's changes from the copy.
 */
final class RunRootfs {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Map<String, String> tools;
    private final Path work;
    private final Path merged;
    private final List<Path> lowers;
    private final boolean overlay;
    private final AgentMounts agentMounts;
    private final LayerStack lower;
    /** Copy snapshotter: path → {inode, ctime} right after the copy. */
    private final Map<String, long[]> index = new HashMap<>();
    private Path top; // the upper dir or the copy

    RunRootfs(Map<String, String> tools, Path work, Path merged, List<Path> lowers, boolean overlay,
            AgentMounts agentMounts) {
        this.tools = tools;
        this.work = work;
        this.merged = merged;
        this.lowers = List.copyOf(lowers);
        this.overlay = overlay;
        this.agentMounts = agentMounts;
        this.lower = new LayerStack(this.lowers);
    }

    /** The image's layers, as the run found them. */
    LayerStack lower() {
        return lower;
    }

    /** Where the command's changes are: the overlay's upper dir, or the copy. */
    Path top() {
        return top;
    }

    /** The rootfs of the next step: the changes, on the layers below them when they stay separate (overlay). */
    List<String> nextLowers() {
        List<String> next = new ArrayList<>();
        next.add(top.toString());
        if (overlay) {
            for (Path l : lowers) {
                next.add(l.toString());
            }
        }
        return next;
    }

    /** The tree after the command, as the diff reads it. */
    LayerStack after() {
        if (overlay) {
            List<Path> stack = new ArrayList<>();
            stack.add(top);
            stack.addAll(lowers);
            return new LayerStack(stack);
        }
        return new LayerStack(List.of(top));
    }

    /** Which entries the command can have touched. */
    /** Reads the file capabilities of the run's files (none when the host has no getfattr; Sandbox warns). */
    FileCapabilities.Reader capabilityReader() {
        return FileCapabilities.reader(tools, work);
    }

    Differ.Scope scope() {
        return overlay ? new OverlayScope(top) : new CopyScope(top, lower, index);
    }

    void prepare() throws IOException {
        LayerStack.Node root = lower.lookup("").orElseThrow(
                () -> new SandboxException("the lower rootfs " + lowers.get(0) + " does not exist"));
        if (overlay) {
            top = Files.createDirectories(work.resolve("upper"));
            Path ovlWork = Files.createDirectories(work.resolve("ovlwork"));
            copyRootAttributes(root, top);
            SandboxAgent.Exec.run(tools.get("mount"), "-t", "overlay", "overlay", "-o",
                    SandboxAgent.OverlayOptions.of(lowers, top, ovlWork), merged.toString());
            agentMounts.add(merged);
        } else {
            top = merged;
            for (int i = lowers.size() - 1; i >= 0; i--) {
                copyLayer(lowers.get(i), merged, i == lowers.size() - 1);
            }
            copyRootAttributes(root, merged);
            indexTree(merged, "");
        }
    }

    private static void copyRootAttributes(LayerStack.Node from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", (int) from.uid(), NOFOLLOW);
        Files.setAttribute(to, "unix:gid", (int) from.gid(), NOFOLLOW);
        Files.setAttribute(to, "unix:mode", from.mode(), NOFOLLOW);
        SandboxAgent.setMtime(to, from.mtime());
    }

    /** Applies one overlay-format layer onto the copy with {@code cp -a}, honouring whiteouts and opaque dirs. */
    private void copyLayer(Path layer, Path target, boolean first) throws IOException {
        List<String> whiteouts = new ArrayList<>();
        if (!first) {
            prepareForLayer(layer, target, "", whiteouts);
        }
        SandboxAgent.Exec.run(tools.get("cp"), "-a", "--reflink=auto", "--", layer + "/.", target + "/");
        for (String w : whiteouts) {
            Files.deleteIfExists(RawNames.child(target, w));
        }
        dropOverlayXattrs(target, layer, "");
    }

    private void prepareForLayer(Path layer, Path target, String rel, List<String> whiteouts) throws IOException {
        Path dir = RawNames.child(layer, rel);
        for (String name : LayerStack.names(dir)) {
            String childRel = LayerPaths.join(rel, name);
            Path src = RawNames.child(layer, childRel);
            Path dst = RawNames.child(target, childRel);
            LayerStack.Node node = new LayerStack.Node(src, LayerStack.lstat(src));
            Map<String, Object> existing = LayerStack.lstat(dst);
            if (LayerStack.isWhiteout(node)) {
                deleteTree(dst);
                whiteouts.add(childRel);
                continue;
            }
            if (node.isDirectory()) {
                if (existing != null && ((Integer) existing.get("mode") & LayerStack.S_IFMT) != LayerStack.S_IFDIR) {
                    deleteTree(dst);
                } else if (existing != null && LayerStack.isOpaque(src)) {
                    for (String n : LayerStack.names(dst)) {
                        deleteTree(RawNames.child(dst, n));
                    }
                }
                prepareForLayer(layer, target, childRel, whiteouts);
            } else if (existing != null && ((Integer) existing.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR) {
                deleteTree(dst);
            }
        }
    }

    private static void dropOverlayXattrs(Path target, Path layer, String rel) throws IOException {
        Path dir = RawNames.child(layer, rel);
        for (String name : LayerStack.names(dir)) {
            String childRel = LayerPaths.join(rel, name);
            Path dst = RawNames.child(target, childRel);
            if (!Files.isRegularFile(dst, NOFOLLOW) && !Files.isDirectory(dst, NOFOLLOW)) {
                continue; // only these have xattrs, and opening a FIFO to look would block
            }
            SandboxAgent.dropOverlayXattrs(dst);
            if (Files.isDirectory(dst, NOFOLLOW) && Files.isDirectory(RawNames.child(layer, childRel), NOFOLLOW)) {
                dropOverlayXattrs(target, layer, childRel);
            }
        }
    }

    /** Removes {@code p} and everything below it, names as {@link RawNames} carries them. */
    static void deleteTree(Path p) throws IOException {
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            return;
        }
        if (((Integer) a.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR) {
            for (String n : LayerStack.names(p)) {
                deleteTree(RawNames.child(p, n));
            }
        }
        Files.delete(p);
    }

    private void indexTree(Path dir, String rel) throws IOException {
        Map<String, Object> a = LayerStack.lstat(RawNames.child(dir, rel));
        LayerStack.Node n = new LayerStack.Node(RawNames.child(dir, rel), a);
        index.put(rel, new long[] {n.ino(), nanos(n.ctime())});
        if (n.isDirectory()) {
            for (String name : LayerStack.names(n.path())) {
                indexTree(dir, LayerPaths.join(rel, name));
            }
        }
    }

    private static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** Overlay: changes are in the upper dir. */
    private static final class OverlayScope implements Differ.Scope {
        private final Path upper;

        OverlayScope(Path upper) {
            this.upper = upper;
        }

        @Override
        public TreeSet<String> names(String dir) throws IOException {
            Path d = RawNames.child(upper, dir);
            return Files.isDirectory(d, NOFOLLOW) ? new TreeSet<>(LayerStack.names(d)) : new TreeSet<>();
        }

        @Override
        public boolean untouched(String path, LayerStack.Node merged) {
            return !merged.path().startsWith(upper);
        }

        @Override
        public boolean recreated(String path, LayerStack.Node merged) throws IOException {
            return merged.path().startsWith(upper) && LayerStack.isOpaque(merged.path());
        }

        @Override
        public boolean subtreeUntouched(String path) {
            return !Files.isDirectory(RawNames.child(upper, path), NOFOLLOW);
        }
    }

    /** Copy: an entry whose inode and ctime did not move since the copy is untouched. */
    private static final class CopyScope implements Differ.Scope {
        private final Path copy;
        private final LayerStack lower;
        private final Map<String, long[]> index;

        CopyScope(Path copy, LayerStack lower, Map<String, long[]> index) {
            this.copy = copy;
            this.lower = lower;
            this.index = index;
        }

        @Override
        public TreeSet<String> names(String dir) throws IOException {
            Path d = RawNames.child(copy, dir);
            TreeSet<String> names = new TreeSet<>(LayerStack.names(d));
            LayerStack.Node n = new LayerStack.Node(d, LayerStack.lstat(d));
            if (!untouched(dir, n)) {
                names.addAll(lower.list(dir)); // entries may have been removed
            }
            return names;
        }

        @Override
        public boolean untouched(String path, LayerStack.Node merged) {
            long[] before = index.get(path);
            return before != null && before[0] == merged.ino() && before[1] == nanos(merged.ctime());
        }

        @Override
        public boolean recreated(String path, LayerStack.Node merged) {
            long[] before = index.get(path);
            return before == null || before[0] != merged.ino();
        }

        @Override
        public boolean subtreeUntouched(String path) {
            return false;
        }
    }
}
