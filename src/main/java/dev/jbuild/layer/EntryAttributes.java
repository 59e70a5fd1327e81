package dev.jbuild.layer;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What every layer entry carries besides its name and type.
 *
 * @param mode   permission bits including setuid (04000), setgid (02000) and sticky (01000); the file type
 *               is given by the entry record, never by these bits
 * @param uid    numeric owner; names are never recorded
 * @param gid    numeric group
 * @param mtime  modification time; the writer truncates it to whole seconds and clamps it to
 *               {@code SOURCE_DATE_EPOCH} when one is given
 * @param xattrs extended attributes, name (e.g. {@code security.capability}) to raw value; values are
 *               arbitrary bytes and are copied defensively in both directions
 */
public record EntryAttributes(int mode, long uid, long gid, Instant mtime, Map<String, byte[]> xattrs) {

    public EntryAttributes {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits outside 07777: 0" + Integer.toOctalString(mode));
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("negative uid/gid: " + uid + ":" + gid);
        }
        Objects.requireNonNull(mtime, "mtime");
        xattrs = copyXattrs(xattrs);
    }

    /** Mode only; owner 0:0, mtime at the epoch, no xattrs. */
    public static EntryAttributes of(int mode) {
        return new EntryAttributes(mode, 0, 0, Instant.EPOCH, Map.of());
    }

    public EntryAttributes withOwner(long newUid, long newGid) {
        return new EntryAttributes(mode, newUid, newGid, mtime, xattrs);
    }

    public EntryAttributes withMtime(Instant newMtime) {
        return new EntryAttributes(mode, uid, gid, newMtime, xattrs);
    }

    public EntryAttributes withXattrs(Map<String, byte[]> newXattrs) {
        return new EntryAttributes(mode, uid, gid, mtime, newXattrs);
    }

    /** A sorted, unmodifiable copy whose values are copies too, so nobody can change ours. */
    @Override
    public Map<String, byte[]> xattrs() {
        return copyXattrs(xattrs);
    }

    /** Our own sorted map without copying; for package code that only reads it. */
    Map<String, byte[]> xattrsView() {
        return xattrs;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EntryAttributes other)) {
            return false;
        }
        if (mode != other.mode || uid != other.uid || gid != other.gid || !mtime.equals(other.mtime)
                || !xattrs.keySet().equals(other.xattrs.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.xattrs.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(mode, uid, gid, mtime);
        for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            h = 31 * h + e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        return "EntryAttributes[mode=0" + Integer.toOctalString(mode) + ", uid=" + uid + ", gid=" + gid
                + ", mtime=" + mtime + ", xattrs=" + xattrs.keySet() + "]";
    }

    private static Map<String, byte[]> copyXattrs(Map<String, byte[]> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, byte[]> copy = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : source.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "xattr name");
            // A PAX record key ends at the first '=', and NUL cannot appear in an xattr name.
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid xattr name: " + name);
            }
            copy.put(name, Objects.requireNonNull(e.getValue(), "xattr value").clone());
        }
        return Collections.unmodifiableMap(copy);
    }
}
