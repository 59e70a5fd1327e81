package dev.jbuild.layer;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a layer blob entry by entry on demand: the pull-style twin of {@link LayerReader}, for
 * callers that interleave several layers (merging an image's layers into one tree reads each
 * layer forward only as far as the next file it needs). Entries, names and whiteouts are exactly
 * those {@link LayerReader} produces.
 *
 * <pre>{@code
 * try (LayerCursor cursor = LayerCursor.open(blob)) {
 *     for (LayerEntry e = cursor.next(); e != null; e = cursor.next()) {
 *         if (e instanceof LayerEntry.RegularFile) cursor.content().transferTo(sink);
 *     }
 * }
 * }</pre>
 */
public final class LayerCursor implements Closeable {

    private final InputStream blob;
    private final TarReader reader;
    private InputStream content = InputStream.nullInputStream();

    private LayerCursor(InputStream blob, TarReader reader) {
        this.blob = blob;
        this.reader = reader;
    }

    /** A cursor over {@code blob} (tar, tar+gzip or tar+zstd by magic bytes); closing it closes the blob. */
    public static LayerCursor open(InputStream blob) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(blob, 64 * 1024);
        ArchiveFormat format = TarRules.LAYER.accept(ArchiveFormat.peek(buffered));
        return new LayerCursor(blob, new TarReader(LayerExtractor.decompressed(format, buffered)));
    }

    /**
     * The next entry, or null at the end of the layer. Skips what {@link LayerReader} skips (the
     * root directory itself, unsupported member types). Whatever was left of the previous entry's
     * content is skipped.
     */
    public LayerEntry next() throws IOException {
        for (TarHeader header = reader.next(); header != null; header = reader.next()) {
            InputStream current = reader.content();
            LayerEntry entry = LayerReader.toEntry(header, current, TarRules.LAYER);
            if (entry != null) {
                content = current;
                return entry;
            }
        }
        content = InputStream.nullInputStream();
        return null;
    }

    /**
     * The content of the entry {@link #next()} returned last (empty for anything but a regular
     * file); valid until the next call of {@link #next()}. Closing it has no effect.
     */
    public InputStream content() {
        return content;
    }

    @Override
    public void close() throws IOException {
        blob.close();
    }
}
