package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads an image's documents from the store and lists its blobs, with errors that name what is missing. */
final class ImageReader {

    /** Indexes nest rarely more than twice; a cycle of indexes must not recurse forever. */
    private static final int MAX_DEPTH = 8;

    private final Store store;

    ImageReader(Store store) {
        this.store = store;
    }

    /** A manifest or index, checked against its descriptor's digest and size. */
    Document<ManifestOrIndex> manifestOrIndex(Descriptor descriptor) throws IOException {
        byte[] bytes = bytes(descriptor, "manifest");
        try {
            return ImageDocuments.parseManifestOrIndex(bytes, descriptor.mediaType());
        } catch (InvalidDocumentException e) {
            throw new ExportException("stored manifest " + descriptor.digest() + " is invalid: " + e.getMessage(), e);
        }
    }

    Manifest manifest(Descriptor descriptor) throws IOException {
        ManifestOrIndex value = manifestOrIndex(descriptor).value();
        if (value instanceof Manifest m) {
            return m;
        }
        throw new ExportException(descriptor.digest() + " is an image index, not a platform's manifest: choose a platform first");
    }

    ImageConfig config(Manifest manifest) throws IOException {
        if (!MediaTypes.isConfig(manifest.config().mediaType())) {
            throw new ExportException("not a container image: its config has media type " + manifest.config().mediaType());
        }
        try {
            return ImageDocuments.parseConfig(bytes(manifest.config(), "image config")).value();
        } catch (InvalidDocumentException e) {
            throw new ExportException("stored image config " + manifest.config().digest() + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * The manifest for {@code platform} when {@code descriptor} is an index (nested indexes
     * followed), else {@code descriptor} itself. The result carries the index entry's platform.
     */
    Descriptor platformManifest(Descriptor descriptor, Platform platform) throws IOException {
        Descriptor current = descriptor;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            ManifestOrIndex value = manifestOrIndex(current).value();
            if (value instanceof Manifest) {
                return current;
            }
            Index index = (Index) value;
            PlatformMatcher matcher = PlatformMatcher.of(platform);
            Descriptor chosen = matcher.best(index).orElse(null);
            if (chosen == null) {
                throw new ExportException("image " + descriptor.digest() + " has no manifest for " + matcher.wanted()
                        + " (it has: " + platforms(index) + ")");
            }
            current = chosen;
        }
        throw new ExportException("image " + descriptor.digest() + ": indexes nested deeper than " + MAX_DEPTH);
    }

    /**
     * Every blob of the image: the documents (the root first, then depth first) and each
     * manifest's config and layers, each once. Non-distributable layers that are not in the store
     * are left out, as registries and {@code docker save} leave them out; any other missing blob
     * is an error.
     */
    List<Descriptor> blobs(Descriptor root) throws IOException {
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        collect(root, blobs, 0, "the exported image");
        return new ArrayList<>(blobs.values());
    }

    private void collect(Descriptor descriptor, Map<Digest, Descriptor> blobs, int depth, String parent)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ExportException("image indexes nested deeper than " + MAX_DEPTH + " at " + descriptor.digest());
        }
        if (blobs.containsKey(descriptor.digest())) {
            return;
        }
        requirePresent(descriptor, parent);
        ManifestOrIndex value = manifestOrIndex(descriptor).value();
        blobs.put(descriptor.digest(), descriptor);
        if (value instanceof Index index) {
            for (Descriptor child : index.manifests()) {
                collect(child, blobs, depth + 1, "index " + descriptor.digest());
            }
            return;
        }
        Manifest manifest = (Manifest) value;
        String owner = "manifest " + descriptor.digest();
        requirePresent(manifest.config(), owner);
        blobs.putIfAbsent(manifest.config().digest(), manifest.config());
        for (Descriptor layer : manifest.layers()) {
            if (MediaTypes.isForeignLayer(layer.mediaType()) && !store.has(layer.digest())) {
                continue;
            }
            requirePresent(layer, owner);
            blobs.putIfAbsent(layer.digest(), layer);
        }
    }

    private void requirePresent(Descriptor descriptor, String owner) throws ExportException {
        if (!store.has(descriptor.digest())) {
            throw new ExportException("blob " + descriptor.digest() + " (referenced by " + owner
                    + ") is not in the store; pull or build the image again");
        }
    }

    private byte[] bytes(Descriptor descriptor, String what) throws IOException {
        byte[] bytes;
        try {
            bytes = store.readBytes(descriptor.digest());
        } catch (NoSuchFileException e) {
            throw new ExportException(what + " " + descriptor.digest() + " is not in the store");
        } catch (IOException e) {
            throw new ExportException(what + " " + descriptor.digest() + " in the store is damaged: " + e.getMessage(), e);
        }
        if (bytes.length != descriptor.size()) {
            throw new ExportException(what + " " + descriptor.digest() + " has " + bytes.length
                    + " bytes, its descriptor says " + descriptor.size());
        }
        return bytes;
    }

    static String platforms(Index index) {
        return index.manifests().stream()
                .map(d -> d.platform() == null ? "no platform" : d.platform().toString())
                .collect(Collectors.joining(", "));
    }
}
