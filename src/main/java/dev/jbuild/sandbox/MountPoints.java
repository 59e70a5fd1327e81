package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a run adds to its rootfs to have something to mount on (or, without a mount namespace, what it puts
 * there for the command), recorded so that it is removed after the run with its directory's mtime put back:
 * a mount point must never show up in the changes.
 */
final class MountPoints {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /**
     * A mount point we had to create, to be removed afterwards with its parent's mtime put back. An
     * {@code owned} one (content copied in, device nodes, generated files: chroot isolation without a
     * mount namespace) is removed whatever the command did to it.
     */
    record Created(String rel, boolean directory, FileTime parentBefore, FileTime parentAfter, boolean owned) {
        Created(String rel, boolean directory, FileTime parentBefore, FileTime parentAfter) {
            this(rel, directory, parentBefore, parentAfter, false);
        }
    }

    private final Path merged;
    private final List<String> warnings;
    private final List<Created> created = new ArrayList<>();

    MountPoints(Path merged, List<String> warnings) {
        this.merged = merged;
        this.warnings = warnings;
    }

    /** {@code unsafe} resolved inside {@code root}, symlinks followed within it (securejoin semantics). */
    static String inside(Path root, String unsafe) throws SandboxException {
        try {
            return RootedResolver.resolveInside(root, unsafe);
        } catch (IOException e) { // an invalid name (LayerException) or a link loop (TooManyLinksException)
            throw new SandboxException(e.getMessage(), e);
        }
    }

    /** The step's working directory inside the root, created (as runc does) when missing; it stays in the changes. */
    String workingDirectory(String unsafe) throws IOException {
        String cwd = inside(merged, unsafe);
        if (!cwd.isEmpty()) {
            Path c = RawNames.child(merged, cwd);
            if (!Files.exists(c, NOFOLLOW)) {
                mkdirs(cwd, false);
            } else if (!Files.isDirectory(c, NOFOLLOW)) {
                throw new SandboxException("working directory " + unsafe + " is not a directory");
            }
        }
        return cwd;
    }

    /**
     * Resolves a container path inside the rootfs and makes sure something of the right kind is there to
     * mount on, creating what is missing (recorded, removed after the run). Returns the host path.
     */
    String ensure(String unsafe, boolean directory) throws IOException {
        String rel = inside(merged, unsafe);
        if (rel.isEmpty()) {
            throw new SandboxException("cannot mount over the container root (" + unsafe + ")");
        }
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a == null) {
            mkdirs(LayerPaths.parent(rel), true);
            create(rel, directory);
        } else {
            boolean isDir = ((Integer) a.get("mode") & LayerStack.S_IFMT) == LayerStack.S_IFDIR;
            if (isDir != directory) {
                throw new SandboxException("cannot mount a " + (directory ? "directory" : "file") + " on /" + rel
                        + ", which is a " + (isDir ? "directory" : "file") + " in the image");
            }
        }
        return RawNames.pathText(p);
    }

    /** Makes the directories of {@code rel} that are missing: recorded for removal, or (the working directory) kept. */
    void mkdirs(String rel, boolean record) throws IOException {
        if (rel.isEmpty()) {
            return;
        }
        Path p = RawNames.child(merged, rel);
        Map<String, Object> a = LayerStack.lstat(p);
        if (a != null) {
            if (((Integer) a.get("mode") & LayerStack.S_IFMT) != LayerStack.S_IFDIR) {
                throw new SandboxException("/" + rel + " is not a directory in the image");
            }
            return;
        }
        mkdirs(LayerPaths.parent(rel), record);
        if (record) {
            create(rel, true);
        } else {
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", 0755);
        }
    }

    private void create(String rel, boolean directory) throws IOException {
        Path p = RawNames.child(merged, rel);
        Path parent = p.getParent();
        FileTime before = Files.getLastModifiedTime(parent, NOFOLLOW);
        if (directory) {
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", 0755);
        } else {
            Files.createFile(p);
            Files.setAttribute(p, "unix:mode", 0644);
        }
        created.add(new Created(rel, directory, before, Files.getLastModifiedTime(parent, NOFOLLOW)));
    }

    /** Records something the run put in place itself, removed whatever the command did to it. */
    void owned(String rel, boolean directory, FileTime parentBefore, FileTime parentAfter) {
        created.add(new Created(rel, directory, parentBefore, parentAfter, true));
    }

    /** The last recording, taken back (to be recorded again as {@link #owned}). */
    Created takeLast() {
        return created.remove(created.size() - 1);
    }

    /**
     * Removes what was recorded, last first, from {@code top} (where the command's changes are): empty mount
     * points and everything owned; a mount point the command filled stays, with a warning.
     */
    void removeAll(Path top) throws IOException {
        for (int i = created.size() - 1; i >= 0; i--) {
            Created c = created.get(i);
            Path p = RawNames.child(top, c.rel());
            Map<String, Object> a = LayerStack.lstat(p);
            if (a == null) {
                continue;
            }
            int type = (Integer) a.get("mode") & LayerStack.S_IFMT;
            boolean empty = c.directory() ? type == LayerStack.S_IFDIR && LayerStack.names(p).isEmpty()
                    : type == LayerStack.S_IFREG && (Long) a.get("size") == 0;
            if (c.owned()) {
                Path parent = p.getParent();
                boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(c.parentAfter());
                RunRootfs.deleteTree(p);
                if (untouchedParent) {
                    SandboxAgent.setMtime(parent, c.parentBefore());
                }
                continue;
            }
            if (!empty) {
                warnings.add("/" + c.rel() + " was created as a mount point and then used by the command; kept");
                continue;
            }
            Path parent = p.getParent();
            boolean untouchedParent = Files.getLastModifiedTime(parent, NOFOLLOW).equals(c.parentAfter());
            Files.delete(p);
            if (untouchedParent) {
                SandboxAgent.setMtime(parent, c.parentBefore());
            }
        }
    }
}
