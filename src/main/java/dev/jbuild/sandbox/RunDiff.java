package dev.jbuild.sandbox;

import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The changes of one run as layer entries, written for the caller ({@code changes.bin}, {@link ChangesFile}):
 * the rootfs after the command compared with the image's layers, in the scope its snapshotter gives. A file
 * the caller's JVM could not read (outside the namespace) is handed over as a readable copy.
 */
final class RunDiff {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private RunDiff() {
    }

    static List<LayerEntry> diff(RunRootfs rootfs, IdMapping mapping, Path work, List<String> warnings)
            throws IOException {
        LayerStack lower = rootfs.lower();
        Path top = rootfs.top();
        Differ differ = new Differ(lower, rootfs.after(), rootfs.scope(), rootfs.capabilityReader());
        List<Differ.Change> changes = differ.diff();
        Map<String, String> links = Differ.hardlinks(changes);
        Map<String, Path> contents = new HashMap<>();
        List<LayerEntry> entries = new ArrayList<>();
        Readability readable = new Readability(mapping, top);
        Path side = work.resolve("content");
        int copies = 0;
        for (Differ.Change c : changes) {
            try {
                switch (c.kind()) {
                    case WHITEOUT -> entries.add(new LayerEntry.Whiteout(c.path(), EntryAttributes.of(0)));
                    case OPAQUE -> entries.add(new LayerEntry.OpaqueWhiteout(c.path(), EntryAttributes.of(0)));
                    case ENTRY -> {
                        LayerStack.Node n = c.node();
                        EntryAttributes a = new EntryAttributes(n.mode(), n.uid(), n.gid(), n.mtime().toInstant(),
                                xattrs(n, differ.capabilities(n)));
                        switch (n.type()) {
                            case LayerStack.S_IFDIR -> entries.add(new LayerEntry.Directory(c.path(), a));
                            case LayerStack.S_IFLNK -> entries.add(new LayerEntry.Symlink(c.path(), a,
                                    RawNames.pathText(Files.readSymbolicLink(n.path()))));
                            case LayerStack.S_IFREG -> {
                                String link = links.get(c.path());
                                if (link != null) {
                                    entries.add(new LayerEntry.Hardlink(c.path(), a, link));
                                    break;
                                }
                                Path content = n.path();
                                if (!readable.test(content)) {
                                    Files.createDirectories(side);
                                    Path copy = side.resolve(Integer.toString(copies++));
                                    Files.copy(content, copy);
                                    Files.setAttribute(copy, "unix:mode", 0600);
                                    content = copy;
                                }
                                contents.put(c.path(), content);
                                entries.add(new LayerEntry.RegularFile(c.path(), a, n.size(),
                                        ContentSource.of(content)));
                            }
                            case LayerStack.S_IFCHR, LayerStack.S_IFBLK -> entries.add(new LayerEntry.Device(c.path(), a,
                                    n.type() == LayerStack.S_IFCHR ? DeviceKind.CHARACTER : DeviceKind.BLOCK,
                                    major(n.rdev()), minor(n.rdev())));
                            case LayerStack.S_IFIFO -> entries.add(new LayerEntry.Fifo(c.path(), a));
                            default -> warnings.add("skipped /" + c.path() + " (unsupported file type)");
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            } catch (IllegalArgumentException e) {
                throw new SandboxException("cannot put /" + c.path() + " in a layer: " + e.getMessage(), e);
            }
        }
        ChangesFile.write(work.resolve("changes.bin"), entries, contents);
        return entries;
    }

    /** The user xattrs, and a regular file's capabilities under their own name, sorted as a layer writes them. */
    private static Map<String, byte[]> xattrs(LayerStack.Node n, byte[] capabilities) {
        Map<String, byte[]> user = LayerStack.userXattrs(n);
        if (capabilities == null) {
            return user;
        }
        Map<String, byte[]> all = new TreeMap<>(user);
        all.put(FileCapabilities.XATTR, capabilities);
        return all;
    }

    static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }

    /**
     * Whether the caller's JVM, outside the namespace, can read a file: it is container uid 0 / gid 0 there,
     * and needs search permission on every directory from the tree's root down.
     */
    private static final class Readability {
        private final boolean everything;
        private final Path root;
        private final Map<Path, Boolean> dirs = new HashMap<>();

        Readability(IdMapping mapping, Path root) {
            this.everything = mapping.kind() == IdMapping.Kind.IDENTITY;
            this.root = root;
        }

        boolean test(Path file) throws IOException {
            if (everything) {
                return true;
            }
            return allowed(file, 4) && searchable(file.getParent());
        }

        private boolean searchable(Path dir) throws IOException {
            if (dir == null || !dir.startsWith(root) || dir.equals(root.getParent())) {
                return true;
            }
            Boolean known = dirs.get(dir);
            if (known != null) {
                return known;
            }
            boolean ok = allowed(dir, 1) && (dir.equals(root) || searchable(dir.getParent()));
            dirs.put(dir, ok);
            return ok;
        }

        private static boolean allowed(Path p, int bit) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", NOFOLLOW);
            int mode = (Integer) a.get("mode");
            if ((Integer) a.get("uid") == 0) {
                return (mode & (bit << 6)) != 0;
            }
            if ((Integer) a.get("gid") == 0) {
                return (mode & (bit << 3)) != 0;
            }
            return (mode & bit) != 0;
        }
    }
}
