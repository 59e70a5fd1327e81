package dev.jbuild.build;

import dev.jbuild.image.Descriptor;
import dev.jbuild.store.BlobWriter;
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
 * </pre>
 *
 * Importing is lazy: a record is copied into the store only when a step looks its key up, and its
 * layer is copied (digest and size verified) with it, so a build takes only the layers it needs.
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
                        }
                        Files.move(temporary, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(temporary);
                    }
                }
            }
            // The record after its blob, as in the store: a reader never finds a record without its layer.
            writeAtomically(directory.resolve("records").resolve(key), record.get());
        }
    }

    @Override
    public Optional<BuildCache.Entry> record(String key, dev.jbuild.image.Platform platform) throws IOException {
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
    public boolean remote() {
        return false;
    }

    private Path blobFile(Descriptor layer) {
        return source.resolve("blobs").resolve(layer.digest().algorithm()).resolve(layer.digest().hex());
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), ".write-", ".tmp");
        try {
            Files.write(temporary, bytes);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
