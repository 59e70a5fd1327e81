package dev.jbuild.store;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The tags: {@code index.json}, an OCI image index whose manifests carry the
 * {@code org.opencontainers.image.ref.name} annotation, beside {@code oci-layout}. Every change is
 * a read-modify-write under {@link IndexLock} (threads and processes) that replaces the file
 * atomically; readers take no lock, since they always see a whole file.
 */
final class Tags {

    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    static final String LOCK_FILE = "index.json.lock";

    /**
     * The OCI image-spec grammar for {@code org.opencontainers.image.ref.name}: components of
     * alphanumerics joined by {@code -._:@+} or {@code --}, separated by {@code /}.
     */
    private static final Pattern REF_NAME = Pattern.compile(
            "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");

    private final Path root;
    private final IndexLock lock;

    Tags(Path root, IndexLock lock) {
        this.root = root;
        this.lock = lock;
    }

    /**
     * Writes {@code oci-layout} and an empty {@code index.json} where they are missing; with
     * {@code check}, reads an existing index.json, so that a store whose tags cannot be read fails
     * when it is opened ({@link DamagedIndexException}), before a command does any work.
     */
    void initialise(boolean check) throws IOException {
        lock.locked(() -> {
            if (!Files.exists(root.resolve(LAYOUT_FILE))) {
                DurableFiles.writeAtomically(root.resolve(LAYOUT_FILE),
                        "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), root);
            }
            if (!Files.exists(root.resolve(INDEX_FILE))) {
                write(emptyIndex());
            } else if (check) {
                index();
            }
            return null;
        });
    }

    void tag(String name, Descriptor manifest) throws IOException {
        checkName(name);
        Descriptor entry = manifest.withAnnotation(Descriptor.REF_NAME, name);
        lock.locked(() -> {
            Index index = index();
            List<Descriptor> next = new ArrayList<>();
            boolean placed = false;
            for (Descriptor d : index.manifests()) {
                if (!name.equals(d.annotation(Descriptor.REF_NAME))) {
                    next.add(d);
                } else if (!placed) {
                    next.add(entry);
                    placed = true;
                }
            }
            if (!placed) {
                next.add(entry);
            }
            write(index.withManifests(next));
            return null;
        });
    }

    boolean untag(String name) throws IOException {
        return lock.locked(() -> {
            Index index = index();
            List<Descriptor> next = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (!name.equals(d.annotation(Descriptor.REF_NAME))) {
                    next.add(d);
                }
            }
            if (next.size() == index.manifests().size()) {
                return false;
            }
            write(index.withManifests(next));
            return true;
        });
    }

    Optional<Descriptor> resolve(String name) throws IOException {
        for (Descriptor d : index().manifests()) {
            if (name.equals(d.annotation(Descriptor.REF_NAME))) {
                return Optional.of(d.withAnnotation(Descriptor.REF_NAME, null));
            }
        }
        return Optional.empty();
    }

    /** All tags, sorted by name; the first entry of a name wins. */
    Map<String, Descriptor> all() throws IOException {
        Map<String, Descriptor> tags = new TreeMap<>();
        for (Descriptor d : index().manifests()) {
            String name = d.annotation(Descriptor.REF_NAME);
            if (name != null) {
                tags.putIfAbsent(name, d.withAnnotation(Descriptor.REF_NAME, null));
            }
        }
        return Collections.unmodifiableMap(tags);
    }

    /**
     * The whole index.json, including entries that are not tags.
     *
     * @throws DamagedIndexException when the file is no image index (garbage, empty, cut off)
     */
    Index index() throws IOException {
        Path file = root.resolve(INDEX_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return emptyIndex();
        }
        try {
            return ImageDocuments.parseIndex(bytes).value();
        } catch (InvalidDocumentException e) {
            throw new DamagedIndexException(file, e);
        }
    }

    /** Runs {@code action} under the index lock (for garbage collection, which must not race tagging). */
    <T> T withLocked(Callable<T> action) throws IOException {
        return lock.locked(() -> {
            try {
                return action.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        });
    }

    private static void checkName(String name) {
        if (name == null || !REF_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid tag name '" + name + "' for the store");
        }
    }

    private static Index emptyIndex() {
        return new Index(MediaTypes.OCI_INDEX, List.of());
    }

    /** Replaces index.json atomically; the caller holds the index lock. */
    private void write(Index index) throws IOException {
        DurableFiles.writeAtomically(root.resolve(INDEX_FILE), ImageDocuments.encode(index).bytes(), root);
    }
}
