package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Copies one image out of an OCI image layout directory (what {@code skopeo copy … oci:DIR:TAG},
 * BuildKit's {@code type=oci,tar=false} and an unpacked {@code docker save} write) into the store.
 *
 * <p>The layout is untrusted input: every blob is copied through a {@link BlobWriter} that checks
 * digest and size, documents are size-limited before they are read, blob paths come only from
 * digests (which cannot contain '/' or '..') and must stay inside the layout. Blobs go in
 * children first (layers, config, then the manifest), so a failure leaves at most unreferenced
 * blobs behind, never a manifest whose content is missing.
 */
final class OciLayoutImport {

    /** Registries cap manifests at 4 MiB; index.json of a big layout can be larger. */
    private static final long MAX_DOCUMENT = 4L << 20;
    private static final long MAX_INDEX_JSON = 64L << 20;
    private static final int MAX_DEPTH = 8;

    private final Store store;
    private final Path layout;
    private final String where;

    OciLayoutImport(Store store, Path layoutDir) {
        this.store = store;
        this.layout = layoutDir;
        this.where = "OCI layout " + layoutDir;
    }

    Descriptor importImage(String reference, Platform platform) throws IOException {
        Path real = checkLayout();
        Index index = readIndexJson(real);
        Descriptor selected = select(index, reference == null ? "" : reference.trim());
        Descriptor manifestDescriptor = platformManifest(selected, platform);
        Document<Manifest> manifest = manifestDocument(manifestDescriptor);
        copyImage(manifest.value());
        copyBytes(manifestDescriptor, manifest.bytes());
        Descriptor result = new Descriptor(manifest.value().mediaTypeOrDefault(), manifestDescriptor.digest(),
                manifestDescriptor.size());
        return manifestDescriptor.platform() == null ? result : result.withPlatform(manifestDescriptor.platform());
    }

    private Path checkLayout() throws IOException {
        if (!Files.isDirectory(layout)) {
            throw new ExportException(where + " is not a directory");
        }
        Path real = layout.toRealPath();
        if (!Files.isRegularFile(real.resolve("oci-layout"))) {
            throw new ExportException(where + " is not an OCI image layout: it has no oci-layout file");
        }
        return real;
    }

    private Index readIndexJson(Path real) throws IOException {
        Path file = real.resolve("index.json");
        if (!Files.isRegularFile(file)) {
            throw new ExportException(where + " has no index.json");
        }
        if (Files.size(file) > MAX_INDEX_JSON) {
            throw new ExportException(where + ": index.json is larger than " + MAX_INDEX_JSON + " bytes");
        }
        try {
            return ImageDocuments.parseIndex(Files.readAllBytes(file)).value();
        } catch (InvalidDocumentException e) {
            throw new ExportException(where + ": invalid index.json: " + e.getMessage(), e);
        }
    }

    /** The index.json entry (or, for a digest, any document of the layout) the reference names. */
    private Descriptor select(Index index, String reference) throws IOException {
        List<Descriptor> entries = index.manifests();
        if (reference.isEmpty()) {
            if (entries.size() == 1) {
                return entries.get(0);
            }
            throw new ExportException(where + " holds " + entries.size() + " images; name one of: " + names(entries));
        }
        String digestText = reference.startsWith("@") ? reference.substring(1) : reference;
        if (Digest.isValid(digestText)) {
            Digest digest = Digest.parse(digestText);
            for (Descriptor d : entries) {
                if (d.digest().equals(digest)) {
                    return d;
                }
            }
            // Not in index.json: a child of an index (one platform's manifest) may still be named.
            if (!Files.isRegularFile(blobFile(digest))) {
                throw new ExportException(where + " has no image or blob " + digest);
            }
            Path file = requireBlob(digest, "manifest");
            byte[] bytes = readLimited(file, digest);
            Document<ManifestOrIndex> doc = parse(bytes, digest, null);
            return doc.descriptor();
        }
        Map<Digest, Descriptor> matches = new LinkedHashMap<>();
        for (Descriptor d : entries) {
            if (nameMatches(d, reference)) {
                matches.putIfAbsent(d.digest(), d);
            }
        }
        if (matches.isEmpty()) {
            throw new ExportException(where + " has no image named '" + reference + "' (it has: " + names(entries) + ")");
        }
        if (matches.size() > 1) {
            throw new ExportException(where + ": '" + reference + "' names " + matches.size()
                    + " different images: " + matches.keySet());
        }
        return matches.values().iterator().next();
    }

    /**
     * A ref.name is a tag ({@code 1.0}, as BuildKit, skopeo and {@code docker save} write it) or
     * a full name (older BuildKit); both are compared as written, then as normalised names.
     */
    private static boolean nameMatches(Descriptor d, String reference) {
        String refName = d.annotation(Descriptor.REF_NAME);
        String imageName = d.annotation(Exporter.IMAGE_NAME_ANNOTATION);
        if (reference.equals(refName) || reference.equals(imageName)) {
            return true;
        }
        String wanted = normalised(reference);
        return wanted != null && (wanted.equals(normalised(refName)) || wanted.equals(normalised(imageName)));
    }

    /** The full form of a name that includes a repository, or null ("1.0" alone is no name). */
    private static String normalised(String name) {
        if (name == null || !name.matches(".*[/:@].*")) {
            return null;
        }
        try {
            return ImageName.parse(name).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Descriptor platformManifest(Descriptor selected, Platform platform) throws IOException {
        Descriptor current = selected;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            Document<ManifestOrIndex> doc = document(current);
            if (doc.value() instanceof Manifest) {
                return current.mediaType() == null ? current.withMediaType(doc.value().mediaTypeOrDefault()) : current;
            }
            Index index = (Index) doc.value();
            PlatformMatcher matcher = PlatformMatcher.of(platform);
            Descriptor chosen = matcher.best(index).orElse(null);
            if (chosen == null) {
                throw new ExportException(where + ": image " + current.digest() + " has no manifest for "
                        + matcher.wanted() + " (it has: " + ImageReader.platforms(index) + ")");
            }
            current = chosen;
        }
        throw new ExportException(where + ": indexes nested deeper than " + MAX_DEPTH);
    }

    private Document<Manifest> manifestDocument(Descriptor descriptor) throws IOException {
        Document<ManifestOrIndex> doc = document(descriptor);
        return new Document<>((Manifest) doc.value(), doc.bytes(), doc.digest());
    }

    private Document<ManifestOrIndex> document(Descriptor descriptor) throws IOException {
        if (descriptor.size() > MAX_DOCUMENT) {
            throw new ExportException(where + ": manifest " + descriptor.digest() + " claims " + descriptor.size()
                    + " bytes, more than the " + MAX_DOCUMENT + " a manifest may have");
        }
        byte[] bytes = readLimited(requireBlob(descriptor.digest(), "manifest"), descriptor.digest());
        Digest actual = Digest.of(descriptor.digest().algorithm(), bytes);
        if (bytes.length != descriptor.size() || !actual.equals(descriptor.digest())) {
            throw new ExportException(where + ": blob " + descriptor.digest() + " is damaged or was replaced: "
                    + bytes.length + " bytes hashing to " + actual + ", expected " + descriptor.size() + " bytes");
        }
        return parse(bytes, descriptor.digest(), descriptor.mediaType());
    }

    private Document<ManifestOrIndex> parse(byte[] bytes, Digest digest, String mediaType) throws ExportException {
        try {
            return ImageDocuments.parseManifestOrIndex(bytes, mediaType);
        } catch (InvalidDocumentException e) {
            throw new ExportException(where + ": " + digest + " is not a valid manifest: " + e.getMessage(), e);
        }
    }

    /** Layers, then the config: everything the manifest needs before the manifest itself goes in. */
    private void copyImage(Manifest manifest) throws IOException {
        if (!MediaTypes.isConfig(manifest.config().mediaType())) {
            throw new ExportException(where + ": not a container image (config media type "
                    + manifest.config().mediaType() + ")");
        }
        for (Descriptor layer : manifest.layers()) {
            if (MediaTypes.isForeignLayer(layer.mediaType()) && !Files.exists(blobFile(layer.digest()))) {
                continue; // non-distributable: fetched from its URLs when needed, as registries do
            }
            copyBlob(layer, "layer");
        }
        copyBlob(manifest.config(), "config");
    }

    private void copyBlob(Descriptor descriptor, String what) throws IOException {
        if (store.has(descriptor)) { // with its size: a damaged copy is imported again
            return;
        }
        Path file = requireBlob(descriptor.digest(), what);
        long size = Files.size(file);
        if (size != descriptor.size()) {
            // Before the store's free-space check, which would blame the disk for the manifest's number.
            throw new ExportException(where + ": the manifest gives " + what + " " + descriptor.digest() + " a size of "
                    + descriptor.size() + " bytes, but its blob has " + size);
        }
        try (InputStream in = Files.newInputStream(file); BlobWriter writer = store.blobWriter(descriptor)) {
            in.transferTo(writer);
            writer.commit();
        } catch (IOException e) {
            throw new ExportException(where + ": " + what + " " + descriptor.digest() + " cannot be imported: "
                    + e.getMessage(), e);
        }
    }

    private void copyBytes(Descriptor descriptor, byte[] bytes) throws IOException {
        if (store.has(descriptor)) { // with its size: a damaged copy is imported again
            return;
        }
        try (BlobWriter writer = store.blobWriter(descriptor)) {
            writer.write(bytes);
            writer.commit();
        }
    }

    private Path requireBlob(Digest digest, String what) throws IOException {
        Path file = blobFile(digest);
        if (!Files.isRegularFile(file)) {
            throw new ExportException(where + ": " + what + " blob " + digest + " is missing");
        }
        // blobs/sha256 could be a symlink to anywhere; the digest check would catch foreign content,
        // but reading outside the layout at all is not what the user asked for.
        Path real = file.toRealPath();
        if (!real.startsWith(layout.toRealPath())) {
            throw new ExportException(where + ": blob " + digest + " lies outside the layout (" + real + ")");
        }
        return real;
    }

    /** The digest's algorithm and hex are validated, so this path stays under blobs/. */
    private Path blobFile(Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private byte[] readLimited(Path file, Digest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_DOCUMENT + 1);
            if (bytes.length > MAX_DOCUMENT) {
                throw new ExportException(where + ": document " + digest + " is larger than " + MAX_DOCUMENT + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ExportException(where + ": blob " + digest + " is missing");
        }
    }

    private static String names(List<Descriptor> entries) {
        List<String> names = new ArrayList<>();
        for (Descriptor d : entries) {
            String name = d.annotation(Descriptor.REF_NAME);
            names.add(name != null ? name : "@" + d.digest());
        }
        return names.stream().collect(Collectors.joining(", "));
    }
}
