package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The members of an image archive (an OCI image layout, possibly with Docker's files beside it)
 * and their deterministic tar: written by {@link LayerWriter} uncompressed, so the rules of layers
 * hold here too — entries sorted, ustar with numeric ids 0:0, no names, one fixed mtime, files
 * 0644 and directories 0755. Blob content streams from the store, checked against its digest;
 * nothing is buffered but the small JSON files.
 */
final class LayoutArchive {

    private static final int FILE_MODE = 0644;
    private static final int DIRECTORY_MODE = 0755;

    private final Store store;
    private final EntryAttributes fileAttributes;
    private final EntryAttributes directoryAttributes;
    private final Map<String, LayerEntry> entries = new LinkedHashMap<>();

    /** @param mtime the one modification time of every member (the epoch, or SOURCE_DATE_EPOCH) */
    LayoutArchive(Store store, Instant mtime) {
        this.store = store;
        Instant seconds = Instant.ofEpochSecond(mtime.getEpochSecond());
        this.fileAttributes = EntryAttributes.of(FILE_MODE).withMtime(seconds);
        this.directoryAttributes = EntryAttributes.of(DIRECTORY_MODE).withMtime(seconds);
    }

    /** {@code blobs/<algorithm>/<hex>}, the layout's path of a blob. */
    static String blobPath(Descriptor descriptor) {
        return "blobs/" + descriptor.digest().algorithm() + "/" + descriptor.digest().hex();
    }

    void addBlob(Descriptor descriptor) {
        String path = blobPath(descriptor);
        if (entries.containsKey(path)) {
            return;
        }
        addDirectory("blobs");
        addDirectory("blobs/" + descriptor.digest().algorithm());
        entries.put(path, new LayerEntry.RegularFile(path, fileAttributes, descriptor.size(),
                () -> VerifiedBlob.of(store.open(descriptor.digest()), descriptor, "the store")));
    }

    void addFile(String path, byte[] content) {
        entries.put(path, LayerEntry.RegularFile.of(path, fileAttributes, content));
    }

    private void addDirectory(String path) {
        entries.putIfAbsent(path, new LayerEntry.Directory(path, directoryAttributes));
    }

    void write(OutputStream out) throws IOException {
        LayerWriter writer = new LayerWriter(new LayerWriter.Options(Compression.NONE, -1, 1, null));
        writer.write(entries.values(), out);
    }
}
