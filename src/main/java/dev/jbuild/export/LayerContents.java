package dev.jbuild.export;

import dev.jbuild.export.MergedTree.ContentKey;
import dev.jbuild.image.Descriptor;
import dev.jbuild.layer.LayerCursor;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands out file contents from an image's layers in whatever order the flattened tar needs them,
 * reading each layer once, forward. One cursor per layer stays open; asking for an entry moves
 * that layer's cursor up to it. Layers written in sorted order (as jbuild, BuildKit and Docker
 * write them) are then read straight through with nothing buffered. When a layer is out of order,
 * a needed file the cursor passes is spooled to a temporary file until it is asked for, so memory
 * stays flat either way.
 */
final class LayerContents implements Closeable {

    private final Store store;
    private final List<Descriptor> layers;
    private final Set<ContentKey> pending;
    private final Map<Integer, Cursor> cursors = new HashMap<>();
    private final Map<ContentKey, Path> spooled = new HashMap<>();
    private Path spoolDir;

    private static final class Cursor {
        final LayerCursor cursor;
        long position = -1; // ordinal of the entry the cursor is on

        Cursor(LayerCursor cursor) {
            this.cursor = cursor;
        }
    }

    /**
     * @param needed the entries that will be asked for, each once; spooled ones go to a temporary
     *     directory of the store
     */
    LayerContents(Store store, List<Descriptor> layers, Set<ContentKey> needed) {
        this.store = store;
        this.layers = layers;
        this.pending = new HashSet<>(needed);
    }

    /** The content of entry {@code key}; read it before asking for the next one. */
    InputStream open(ContentKey key) throws IOException {
        if (!pending.remove(key)) {
            throw new IllegalStateException("content of " + key + " asked for twice or not announced");
        }
        Path file = spooled.remove(key);
        if (file != null) {
            return new FilterInputStream(Files.newInputStream(file, StandardOpenOption.DELETE_ON_CLOSE)) {};
        }
        Cursor c = cursor(key.layer());
        if (c.position >= key.ordinal()) {
            throw new IllegalStateException("layer " + key.layer() + " already read past entry " + key.ordinal());
        }
        while (true) {
            LayerEntry entry = c.cursor.next();
            if (entry == null) {
                throw new ExportException("layer " + layers.get(key.layer()).digest() + " ended before entry "
                        + key.ordinal() + "; was it changed while being read?");
            }
            c.position++;
            ContentKey here = new ContentKey(key.layer(), c.position);
            if (c.position == key.ordinal()) {
                return c.cursor.content();
            }
            if (pending.contains(here)) {
                spool(here, c.cursor.content());
            }
        }
    }

    private Cursor cursor(int layer) throws IOException {
        Cursor c = cursors.get(layer);
        if (c == null) {
            c = new Cursor(LayerCursor.open(store.open(layers.get(layer).digest())));
            cursors.put(layer, c);
        }
        return c;
    }

    private void spool(ContentKey key, InputStream content) throws IOException {
        if (spoolDir == null) {
            spoolDir = store.createTemporaryDirectory("rootfs-tar");
        }
        Path file = spoolDir.resolve(key.layer() + "-" + key.ordinal());
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            content.transferTo(out);
        } catch (IOException e) {
            // The spool is in the store, not at the export's destination.
            throw NoSpaceLeftException.forStore(e, file, store.root());
        }
        spooled.put(key, file);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Cursor c : cursors.values()) {
            try {
                c.cursor.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        cursors.clear();
        if (spoolDir != null) {
            store.deleteTemporaryDirectory(spoolDir);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
