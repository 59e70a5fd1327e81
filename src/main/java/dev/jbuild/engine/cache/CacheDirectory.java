package dev.jbuild.engine.cache;

import dev.jbuild.engine.fs.LayerIndex;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Platform;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Optional;

/**
 * A build cache in a directory ({@code --cache-to type=local,dest=DIR}, {@code --cache-from
 * type=local,src=DIR}), for CI systems that keep a directory between jobs:
 *
 * <pre>
 * DIR/jbuild-cache.json        {"format":"jbuild-cache","version":1}
 * DIR/records/KEY              the store's cache records, unchanged
 * DIR/blobs/sha256/HEX         the layers those records name
 * DIR/indexes/HEX.idx          each layer's file index, by diff_id
 * </pre>
 *
 * Importing is lazy: a record is taken only when a step looks its key up, and its layer is copied
 * (digest and size verified) only when the build reads it, so a build takes only the layers it needs.
 */
final class CacheDirectory implements CacheSource {

    private static final String MARKER = "jbuild-cache.json";

    private final Path source;

    CacheDirectory(Path source) {
        this.source = source;
    }

    @Override
    public String describe() {
        return source.toString();
    }

    /** Writes the records of {@code keys} and their layers (read through {@code store}, which may download them). */
    static void export(Store store, CacheSources records, Collection<String> keys, Path directory) throws IOException {
        try {
            exportInto(store, records, keys, directory);
        } catch (IOException e) {
            // Each file is written beside its name and renamed, so a full disk leaves no half blob or record
            // that a later import would trust; what it was writing is named, with the destination.
            throw NoSpaceLeftException.forDestination(e, directory, directory);
        }
    }

    private static void exportInto(Store store, CacheSources records, Collection<String> keys, Path directory)
            throws IOException {
        Files.createDirectories(directory.resolve("records"));
        Files.createDirectories(directory.resolve("blobs/sha256"));
        writeAtomically(directory.resolve(MARKER), "{\"format\":\"jbuild-cache\",\"version\":1}\n".getBytes(StandardCharsets.UTF_8));
        for (String key : keys) {
            Optional<byte[]> record = records.record(key);
            if (record.isEmpty()) {
                continue;
            }
            BuildCache.Entry entry = BuildCache.parse(record.get());
            if (entry.layer() != null) {
                Descriptor layer = entry.layer().descriptor();
                Path blob = directory.resolve("blobs").resolve(layer.digest().algorithm()).resolve(layer.digest().hex());
                if (!Files.exists(blob)) {
                    Path temporary = Files.createTempFile(blob.getParent(), ".blob-", ".tmp");
                    try {
                        try (InputStream in = store.open(layer.digest())) {
                            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw NoSpaceLeftException.forDestination(e, temporary, directory);
                        }
                        Files.move(temporary, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(temporary);
                    }
                }
            }
            if (entry.layer() != null) {
                exportIndex(store, entry.layer(), directory);
            }
            // The record after its blob, as in the store: a reader never finds a record without its layer.
            writeAtomically(directory.resolve("records").resolve(key), record.get());
        }
    }

    /** The layer's file index beside it, so an importer can key COPY --from on it without the layer. */
    private static void exportIndex(Store store, LayerRecord layer, Path directory) throws IOException {
        Path target = indexFile(directory, layer);
        if (Files.exists(target)) {
            return;
        }
        if (!LayerIndex.has(store, layer.diffId())) {
            if (!store.has(layer.descriptor().digest())) {
                return; // not read by this build, so neither indexed; the directory has the layer
            }
            new LayerIndex(store).entries(layer);
        }
        Files.createDirectories(target.getParent());
        writeAtomically(target, Files.readAllBytes(LayerIndex.file(store, layer.diffId())));
    }

    @Override
    public Optional<BuildCache.Entry> record(String key, Platform platform) throws IOException {
        Path recordFile = source.resolve("records").resolve(key);
        if (!Files.isRegularFile(recordFile)) {
            return Optional.empty();
        }
        BuildCache.Entry entry = BuildCache.parse(Files.readAllBytes(recordFile));
        if (entry.layer() != null && !Files.isRegularFile(blobFile(entry.layer().descriptor()))) {
            return Optional.empty(); // a record without its layer is no use
        }
        return Optional.of(entry);
    }

    @Override
    public void fetchLayer(LayerRecord layer, Store store) throws IOException {
        try (InputStream in = Files.newInputStream(blobFile(layer.descriptor()));
                BlobWriter writer = store.blobWriter(layer.descriptor())) {
            in.transferTo(writer);
            writer.commit();
        }
    }

    @Override
    public void fetchLayerIndex(LayerRecord layer, Store store) {
        Path index = indexFile(source, layer);
        if (LayerIndex.has(store, layer.diffId()) || !Files.isRegularFile(index)) {
            return;
        }
        try {
            if (Files.size(index) > RegistryCache.MAX_LAYER_INDEX_BYTES) {
                throw new IOException("larger than " + RegistryCache.MAX_LAYER_INDEX_BYTES + " bytes");
            }
            LayerIndex.install(store, layer.diffId(), Files.readAllBytes(index));
        } catch (IOException | RuntimeException e) {
            // Only costs the layer's copy when a step needs its files.
        }
    }

    /** {@code DIR/indexes/HEX.idx}: the file index of the layer with that diff_id ({@link LayerIndex}'s format). */
    private static Path indexFile(Path directory, LayerRecord layer) {
        return directory.resolve("indexes").resolve(layer.diffId().hex() + ".idx");
    }

    private Path blobFile(Descriptor layer) {
        return source.resolve("blobs").resolve(layer.digest().algorithm()).resolve(layer.digest().hex());
    }

    /** The file names what was written when the disk fills up; the caller names the destination. */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), ".write-", ".tmp");
        try {
            Files.write(temporary, bytes);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw NoSpaceLeftException.of(e, temporary).<IOException>map(n -> n).orElse(e);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
