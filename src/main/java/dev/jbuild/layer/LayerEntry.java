package dev.jbuild.layer;

import java.util.Objects;

/**
 * One thing a layer tar holds. Paths are relative, '/'-separated, without leading '/' or trailing '/'
 * (they are normalized on construction; ".." is rejected). Names whose last component starts with
 * {@code .wh.} are reserved for {@link Whiteout} and {@link OpaqueWhiteout}.
 */
public sealed interface LayerEntry {

    String path();

    EntryAttributes attributes();

    /** The same entry with other attributes (used to clamp times or override owners). */
    LayerEntry withAttributes(EntryAttributes attributes);

    /** A regular file of exactly {@code size} bytes read from {@code content} when the layer is written. */
    record RegularFile(String path, EntryAttributes attributes, long size, ContentSource content)
            implements LayerEntry {
        public RegularFile {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
            Objects.requireNonNull(content, "content");
            if (size < 0) {
                throw new IllegalArgumentException("negative size for " + path);
            }
        }

        public static RegularFile of(String path, EntryAttributes attributes, byte[] content) {
            return new RegularFile(path, attributes, content.length, ContentSource.of(content));
        }

        @Override
        public RegularFile withAttributes(EntryAttributes a) {
            return new RegularFile(path, a, size, content);
        }
    }

    record Directory(String path, EntryAttributes attributes) implements LayerEntry {
        public Directory {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
        }

        @Override
        public Directory withAttributes(EntryAttributes a) {
            return new Directory(path, a);
        }
    }

    /** A symbolic link; {@code target} is data, stored verbatim and never followed. */
    record Symlink(String path, EntryAttributes attributes, String target) implements LayerEntry {
        public Symlink {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
            if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid symlink target for " + path);
            }
        }

        @Override
        public Symlink withAttributes(EntryAttributes a) {
            return new Symlink(path, a, target);
        }
    }

    /**
     * A hard link to another entry of the layer (or of a lower layer), named by its layer path. The target
     * must come earlier in the tar, which the entry order guarantees when it sorts before this path.
     */
    record Hardlink(String path, EntryAttributes attributes, String target) implements LayerEntry {
        public Hardlink {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
            target = EntryPaths.normalize(Objects.requireNonNull(target, "target"));
            if (target.isEmpty() || target.equals(path)) {
                throw new IllegalArgumentException("invalid hardlink target for " + path + ": " + target);
            }
        }

        @Override
        public Hardlink withAttributes(EntryAttributes a) {
            return new Hardlink(path, a, target);
        }
    }

    record Device(String path, EntryAttributes attributes, DeviceKind kind, int major, int minor)
            implements LayerEntry {
        public Device {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
            Objects.requireNonNull(kind, "kind");
            // The ustar fields hold 7 octal digits; Linux majors/minors (12/20 bits) fit.
            if (major < 0 || minor < 0 || major > 07777777 || minor > 07777777) {
                throw new IllegalArgumentException("device numbers out of range for " + path);
            }
        }

        @Override
        public Device withAttributes(EntryAttributes a) {
            return new Device(path, a, kind, major, minor);
        }
    }

    record Fifo(String path, EntryAttributes attributes) implements LayerEntry {
        public Fifo {
            path = checked(path);
            Objects.requireNonNull(attributes, "attributes");
        }

        @Override
        public Fifo withAttributes(EntryAttributes a) {
            return new Fifo(path, a);
        }
    }

    /**
     * Deletes {@code path} from the lower layers; written as {@code dir/.wh.name}. Per the OCI layer spec it
     * hides only lower-layer content, never entries of its own layer.
     */
    record Whiteout(String path, EntryAttributes attributes) implements LayerEntry {
        public Whiteout {
            path = EntryPaths.normalize(Objects.requireNonNull(path, "path"));
            if (path.isEmpty()) {
                throw new IllegalArgumentException("cannot whiteout the root");
            }
            Objects.requireNonNull(attributes, "attributes");
        }

        @Override
        public Whiteout withAttributes(EntryAttributes a) {
            return new Whiteout(path, a);
        }
    }

    /**
     * Marks directory {@code path} opaque: everything lower layers put under it is hidden. Written as
     * {@code path/.wh..wh..opq}; {@code path} may be "" for the root.
     */
    record OpaqueWhiteout(String path, EntryAttributes attributes) implements LayerEntry {
        public OpaqueWhiteout {
            path = EntryPaths.normalize(Objects.requireNonNull(path, "path"));
            Objects.requireNonNull(attributes, "attributes");
        }

        @Override
        public OpaqueWhiteout withAttributes(EntryAttributes a) {
            return new OpaqueWhiteout(path, a);
        }
    }

    private static String checked(String path) {
        String normalized = EntryPaths.normalize(Objects.requireNonNull(path, "path"));
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("entry path is empty (the root itself): '" + path + "'");
        }
        if (LayerPaths.baseName(normalized).startsWith(EntryPaths.WHITEOUT_PREFIX)) {
            throw new IllegalArgumentException(
                    "names starting with .wh. are reserved for whiteouts and cannot be put in a layer: " + path);
        }
        return normalized;
    }
}
