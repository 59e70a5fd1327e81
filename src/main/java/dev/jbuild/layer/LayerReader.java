package dev.jbuild.layer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Reads a layer blob (tar, tar+gzip or tar+zstd, detected by magic bytes) as a sequence of
 * {@link LayerEntry} values without writing anything to disk: for indexing an image's file tree and
 * for copying single files out of a layer. Whiteouts come out as {@link LayerEntry.Whiteout} and
 * {@link LayerEntry.OpaqueWhiteout}; names are cleaned the way the extractor confines them. With
 * {@link TarRules#ARCHIVE} it reads an {@code ADD} archive the same way.
 */
public final class LayerReader {

    /**
     * Receives each entry. For a regular file, {@code content} (also what the entry's
     * {@link ContentSource} returns) is the file's bytes and is readable only until this call returns.
     */
    @FunctionalInterface
    public interface Visitor {
        void entry(LayerEntry entry, InputStream content) throws IOException;
    }

    private LayerReader() {}

    /** Reads {@code blob} to its end (it is not closed), calling {@code visitor} for every entry. */
    public static void read(InputStream blob, Visitor visitor) throws IOException {
        read(blob, TarRules.LAYER, visitor);
    }

    /**
     * As {@link #read(InputStream, Visitor)} under {@code rules}: the compressions they accept, and
     * whiteout names as whiteouts only where they have them (otherwise such a name is an ordinary entry).
     */
    public static void read(InputStream blob, TarRules rules, Visitor visitor) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(blob, 64 * 1024);
        ArchiveFormat format = rules.accept(ArchiveFormat.peek(buffered));
        visit(LayerExtractor.decompressed(format, buffered), rules, visitor);
    }

    /**
     * As {@link #read}, hashing the uncompressed tar as it goes by, to its very end (bytes after
     * the end-of-archive marker are part of it, as for the extractor): returns its diff_id
     * ({@code sha256:…}), for the caller to compare with the image config's. One pass over the blob.
     */
    public static String readWithDiffId(InputStream blob, Visitor visitor) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(blob, 64 * 1024);
        ArchiveFormat format = TarRules.LAYER.accept(ArchiveFormat.peek(buffered));
        CountingDigestInputStream tar = new CountingDigestInputStream(LayerExtractor.decompressed(format, buffered));
        visit(tar, TarRules.LAYER, visitor);
        tar.drain();
        return tar.digest();
    }

    private static void visit(InputStream tar, TarRules rules, Visitor visitor) throws IOException {
        TarReader reader = new TarReader(tar);
        for (TarHeader header = reader.next(); header != null; header = reader.next()) {
            InputStream content = reader.content();
            LayerEntry entry = toEntry(header, content, rules);
            if (entry != null) {
                visitor.entry(entry, content);
            }
        }
    }

    /**
     * The entry a header describes, or null for the root directory itself, unsupported types and (without
     * whiteouts) {@code .wh.} names.
     */
    static LayerEntry toEntry(TarHeader h, InputStream content, TarRules rules) throws LayerException {
        String path = LayerPaths.clean(h.name());
        EntryAttributes attributes = new EntryAttributes(h.mode(), h.uid(), h.gid(), h.mtime(),
                h.xattrs() == null ? Map.of() : h.xattrs());
        String base = LayerPaths.baseName(path);
        if (!rules.whiteouts() && base.startsWith(EntryPaths.WHITEOUT_PREFIX)) {
            // Not a whiteout in an ADD archive, and not a name a layer can hold either (it would be
            // one there): left out, as the root entry is.
            return null;
        }
        if (base.equals(EntryPaths.OPAQUE_MARKER)) {
            return new LayerEntry.OpaqueWhiteout(LayerPaths.parent(path), attributes);
        }
        if (base.startsWith(EntryPaths.WHITEOUT_PREFIX)) {
            String hidden = base.substring(EntryPaths.WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw new LayerException("invalid whiteout entry: " + h.name());
            }
            return new LayerEntry.Whiteout(LayerPaths.join(LayerPaths.parent(path), hidden), attributes);
        }
        if (path.isEmpty()) {
            return null;
        }
        return switch (h.type()) {
            case TarHeader.DIRECTORY -> new LayerEntry.Directory(path, attributes);
            case TarHeader.SYMLINK -> new LayerEntry.Symlink(path, attributes, h.linkName());
            case TarHeader.HARDLINK -> new LayerEntry.Hardlink(path, attributes, LayerPaths.clean(h.linkName()));
            case TarHeader.FIFO -> new LayerEntry.Fifo(path, attributes);
            case TarHeader.CHAR_DEVICE -> new LayerEntry.Device(path, attributes, DeviceKind.CHARACTER, h.devMajor(), h.devMinor());
            case TarHeader.BLOCK_DEVICE -> new LayerEntry.Device(path, attributes, DeviceKind.BLOCK, h.devMajor(), h.devMinor());
            default -> h.isRegularFile()
                    ? new LayerEntry.RegularFile(path, attributes, h.size(), () -> content)
                    : null;
        };
    }
}
