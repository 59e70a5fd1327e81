package dev.jbuild.export;

import dev.jbuild.export.MergedTree.Positioned;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digester;
import dev.jbuild.image.Manifest;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerCursor;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.Store;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * {@code -o type=tar}: the image's root filesystem as one tar, made without unpacking. First every
 * layer's metadata is read into a {@link MergedTree} (each layer's digest verified on the way);
 * then the tree is written in sorted order by {@link LayerWriter}, each file's bytes copied from
 * the layer that holds them by {@link LayerContents}. Owners, modes and xattrs come from the tar
 * headers, so they are exact whoever runs the export.
 *
 * <p>Several images (a multi-platform build) go into one tar each below its own directory
 * ({@code linux_amd64/}, ...), as BuildKit's tar exporter writes them.
 */
final class RootfsTar {

    private final ImageReader image;
    private final Store store;

    RootfsTar(ImageReader image, Store store) {
        this.image = image;
        this.store = store;
    }

    void write(Descriptor descriptor, OutputStream out, Instant sourceDateEpoch) throws IOException {
        LayerWriter writer = new LayerWriter(new LayerWriter.Options(Compression.NONE, -1, 1, sourceDateEpoch));
        try (Tree tree = tree(descriptor)) {
            writer.write(tree.entries(""), out);
        }
    }

    /**
     * Each image of {@code images} (directory name to manifest) below its directory, mode 0755 and owned by
     * root, in the order of the names.
     */
    void write(SortedMap<String, Descriptor> images, OutputStream out, Instant sourceDateEpoch) throws IOException {
        LayerWriter writer = new LayerWriter(new LayerWriter.Options(Compression.NONE, -1, 1, sourceDateEpoch));
        EntryAttributes directory = EntryAttributes.of(0755).withMtime(sourceDateEpoch != null ? sourceDateEpoch : Instant.EPOCH);
        List<Tree> trees = new ArrayList<>();
        try {
            List<LayerEntry> entries = new ArrayList<>();
            for (Map.Entry<String, Descriptor> image : images.entrySet()) {
                Tree tree = tree(image.getValue());
                trees.add(tree);
                entries.add(new LayerEntry.Directory(image.getKey(), directory));
                entries.addAll(tree.entries(image.getKey()));
            }
            writer.write(entries, out);
        } finally {
            IOException failure = null;
            for (Tree tree : trees) {
                try {
                    tree.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** One image's merged tree and the open layers its files are read from. */
    private record Tree(MergedTree merged, LayerContents contents) implements Closeable {
        List<LayerEntry> entries(String prefix) {
            return merged.entries(contents::open, prefix);
        }

        @Override
        public void close() throws IOException {
            contents.close();
        }
    }

    private Tree tree(Descriptor descriptor) throws IOException {
        Manifest manifest = image.manifest(descriptor);
        image.config(manifest);
        image.blobs(descriptor);
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor layer : manifest.layers()) {
            if (store.has(layer.digest())) { // absent only for non-distributable layers (checked above)
                layers.add(layer);
            }
        }
        MergedTree tree = new MergedTree();
        for (int i = 0; i < layers.size(); i++) {
            tree.apply(i, index(layers.get(i)));
        }
        return new Tree(tree, new LayerContents(store, layers, tree.neededContent()));
    }

    /** Every entry of a layer with its ordinal, content skipped; the blob's digest and size are checked. */
    private List<Positioned> index(Descriptor layer) throws IOException {
        List<Positioned> entries = new ArrayList<>();
        Digester digester = Digester.of(layer.digest().algorithm());
        try (InputStream raw = digester.wrap(store.open(layer.digest()));
                LayerCursor cursor = LayerCursor.open(raw)) {
            long ordinal = 0;
            for (LayerEntry e = cursor.next(); e != null; e = cursor.next()) {
                entries.add(new Positioned(e, ordinal++));
            }
            raw.transferTo(OutputStream.nullOutputStream()); // the rest of the blob counts for its digest
        } catch (IOException e) {
            if (e instanceof ExportException) {
                throw e;
            }
            throw new ExportException("cannot read layer " + layer.digest() + ": " + e.getMessage(), e);
        }
        if (digester.size() != layer.size() || !digester.digest().equals(layer.digest())) {
            throw new ExportException("layer " + layer.digest() + " in the store is damaged: " + digester.size()
                    + " bytes hashing to " + digester.digest());
        }
        return entries;
    }
}
