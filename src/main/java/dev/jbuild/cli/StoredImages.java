package dev.jbuild.cli;

import dev.jbuild.attestation.AttestationLayout;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds images in the store by the names users type: {@code app}, {@code app:1}, a full name, or an image ID prefix. */
final class StoredImages {

    /** A stored image: the name it was found by, its manifest and config. */
    record StoredImage(String name, Descriptor descriptor, Document<Manifest> manifest, Document<ImageConfig> config) {
        long size() {
            return manifest.value().layers().stream().mapToLong(Descriptor::size).sum()
                    + manifest.value().config().size() + manifest.size();
        }
    }

    private final Store store;

    StoredImages(Store store) {
        this.store = store;
    }

    /** The image for {@code reference}; a clear failure (exit 1) when there is none. */
    StoredImage find(String reference) {
        try {
            Optional<Map.Entry<String, Descriptor>> match = lookup(reference);
            if (match.isEmpty()) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: no such image: " + reference);
            }
            return load(match.get().getKey(), match.get().getValue());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading image " + reference + " from the store: " + e.getMessage());
        }
    }

    /**
     * The tag entry (full name and the stored manifest or index) for {@code reference}, without
     * reading the image's documents when a name finds it: for commands that pass the stored bytes
     * on as they are ({@code push}), whatever their config is.
     */
    Map.Entry<String, Descriptor> findTag(String reference) {
        try {
            return lookup(reference).orElseThrow(() -> new CliFailure(ExitCodes.BUILD_FAILED, "error: no such image: " + reference));
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading image " + reference + " from the store: " + e.getMessage());
        }
    }

    /** The tag entry for a name, or for an image ID (config digest) or manifest digest prefix. */
    Optional<Map.Entry<String, Descriptor>> lookup(String reference) throws IOException {
        Map<String, Descriptor> tags = store.tags();
        List<String> byId = namesById(reference);
        if (!byId.isEmpty()) {
            return Optional.of(Map.entry(byId.get(0), tags.get(byId.get(0))));
        }
        String name;
        try {
            name = ImageName.parse(reference).pinned().toString();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Descriptor descriptor = tags.get(name);
        return descriptor == null ? Optional.empty() : Optional.of(Map.entry(name, descriptor));
    }

    /**
     * Every name of the image that {@code reference} names by ID (its config digest) or manifest digest, or a
     * prefix of either of at least 6 hex digits; empty when {@code reference} is no such ID.
     */
    List<String> namesById(String reference) throws IOException {
        String hex = reference.startsWith("sha256:") ? reference.substring(7) : reference;
        if (!hex.matches("[0-9a-f]{6,64}")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Descriptor> tag : store.tags().entrySet()) {
            if (tag.getValue().digest().hex().startsWith(hex)) {
                names.add(tag.getKey());
                continue;
            }
            // The manifest digest is in index.json itself; the ID needs the config, which a broken image may lack:
            // it is then found by its manifest digest only, and the others still by ID.
            Digest id;
            try {
                id = load(tag.getKey(), tag.getValue()).config().digest();
            } catch (BrokenImageException e) {
                continue;
            }
            if (id.hex().startsWith(hex)) {
                names.add(tag.getKey());
            }
        }
        return names;
    }

    /**
     * The image's ID as the build prints it ({@code --iidfile}): a multi-platform index's digest (as containerd's
     * image store shows it), else the image's config digest, also when an index holds it with its attestations.
     */
    Digest imageId(Descriptor tagged, StoredImage image) throws IOException {
        if (!MediaTypes.isIndex(tagged.mediaType())) {
            return image.config().digest();
        }
        ManifestOrIndex document = ImageDocuments.parseManifestOrIndex(store.readBytes(tagged.digest())).value();
        long images = document instanceof Index index
                ? index.manifests().stream().filter(m -> !AttestationLayout.isAttestation(m)).count() : 1;
        return images == 1 ? image.config().digest() : tagged.digest();
    }

    /**
     * A name whose manifest, index or config blob is missing from the store (removed by hand, a partial copy of
     * a store): the name itself is only an index.json entry, so {@code images} lists the others and {@code rmi}
     * can still remove it.
     */
    static final class BrokenImageException extends IOException {
        private static final long serialVersionUID = 1L;

        BrokenImageException(String what, Digest digest, IOException cause) {
            super("its " + what + " " + digest + " is missing from the store", cause);
        }
    }

    /** The blob {@code digest} (the image's {@code what}), or a {@link BrokenImageException} when it is not in the store. */
    private byte[] read(String what, Digest digest) throws IOException {
        try {
            return store.readBytes(digest);
        } catch (NoSuchFileException e) {
            throw new BrokenImageException(what, digest, e);
        }
    }

    StoredImage load(String name, Descriptor descriptor) throws IOException {
        Document<ManifestOrIndex> document = ImageDocuments.parseManifestOrIndex(
                read(MediaTypes.isIndex(descriptor.mediaType()) ? "index" : "manifest", descriptor.digest()));
        if (document.value() instanceof Index index) {
            // This machine's platform when the index has it, else its first image (one built or pulled for
            // another platform, next to its attestation manifest).
            Optional<Descriptor> chosen = PlatformMatcher.of(Platform.host()).best(index);
            if (chosen.isEmpty()) {
                chosen = index.manifests().stream().filter(m -> !AttestationLayout.isAttestation(m)).findFirst();
            }
            return load(name, chosen.orElseThrow(() -> new IOException("no image manifest in " + name)));
        }
        Document<Manifest> manifest = ImageDocuments.parseManifest(document.bytes());
        Document<ImageConfig> config = ImageDocuments.parseConfig(read("config", manifest.value().config().digest()));
        return new StoredImage(name, descriptor, manifest, config);
    }
}
