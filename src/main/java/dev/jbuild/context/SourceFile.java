package dev.jbuild.context;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of a {@link SourceTree}, with the metadata a copy into an image keeps.
 *
 * @param path where the entry lives in its tree: absolute, cleaned, {@code /} for the root. After
 *     a lookup through symbolic links this is the resolved location, not the path asked for.
 * @param kind file, directory, symbolic link or other
 * @param mode permission bits including setuid, setgid and sticky ({@code & 07777}); other bits
 *     given to the constructor are dropped
 * @param uid numeric owner
 * @param gid numeric group
 * @param size bytes of content for regular files (0 or unspecified for the others)
 * @param mtime modification time
 * @param linkTarget the target exactly as stored in the symbolic link, or null for other kinds
 * @param xattrs extended attributes by full name ({@code user.foo}), sorted; empty when none or
 *     unreadable. Values are compared by content in {@link #equals}; do not modify the arrays.
 * @param fileKey identifies the underlying inode: two entries with equal non-null keys are hard
 *     links of each other. Null when the tree cannot tell.
 * @param device the device numbers of a {@link FileKind#isDevice device node}, null for the other kinds
 */
public record SourceFile(
        String path,
        FileKind kind,
        int mode,
        long uid,
        long gid,
        long size,
        Instant mtime,
        String linkTarget,
        Map<String, byte[]> xattrs,
        Object fileKey,
        Device device) {

    /** A device node's major and minor numbers. */
    public record Device(int major, int minor) {}

    public SourceFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mtime, "mtime");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("tree paths are absolute: " + path);
        }
        if (kind == FileKind.SYMLINK) {
            Objects.requireNonNull(linkTarget, "linkTarget of a symbolic link");
        }
        if (kind.isDevice() != (device != null)) {
            throw new IllegalArgumentException("device numbers are for device nodes only: " + path);
        }
        mode &= 07777;
        xattrs = xattrs == null || xattrs.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(xattrs));
    }

    /** An entry that is not a device node. */
    public SourceFile(String path, FileKind kind, int mode, long uid, long gid, long size, Instant mtime,
            String linkTarget, Map<String, byte[]> xattrs, Object fileKey) {
        this(path, kind, mode, uid, gid, size, mtime, linkTarget, xattrs, fileKey, null);
    }

    /** The last element of {@link #path}; empty for the root. */
    String name() {
        return TreePaths.baseName(path);
    }

    public boolean isDirectory() {
        return kind == FileKind.DIRECTORY;
    }

    public boolean isRegularFile() {
        return kind == FileKind.FILE;
    }

    public boolean isSymlink() {
        return kind == FileKind.SYMLINK;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SourceFile other)) {
            return false;
        }
        return mode == other.mode && uid == other.uid && gid == other.gid && size == other.size
                && path.equals(other.path) && kind == other.kind && mtime.equals(other.mtime)
                && Objects.equals(linkTarget, other.linkTarget) && Objects.equals(fileKey, other.fileKey)
                && Objects.equals(device, other.device) && sameXattrs(xattrs, other.xattrs);
    }

    @Override
    public int hashCode() {
        // xattrs left out: equal records still hash equally, and byte[] has no content hash
        return Objects.hash(path, kind, mode, uid, gid, size, mtime, linkTarget, fileKey);
    }

    private static boolean sameXattrs(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "SourceFile[" + path + " " + kind + " " + String.format("%04o", mode) + " " + uid + ":" + gid
                + (linkTarget != null ? " -> " + linkTarget : "")
                + (device != null ? " " + device.major() + "," + device.minor() : "") + "]";
    }
}
