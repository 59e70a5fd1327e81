package dev.jbuild.transfer;

import dev.jbuild.attestation.AttestationLayout;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.registry.BlobSink;
import dev.jbuild.registry.BlobSource;
import dev.jbuild.registry.PushOptions;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.ResolvedImage;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Moves images between a registry and the local store: the one place that knows both. Pulls
 * stream every blob into the store with its digest verified (nothing partial is ever kept);
 * pushes send the store's exact bytes, so the pushed digest is the built one.
 */
public final class ImageTransfer {

    private final Store store;
    private final RegistryClient registry;

    public ImageTransfer(Store store, RegistryClient registry) {
        this.store = store;
        this.registry = registry;
    }

    /**
     * Pulls {@code name} for {@code platform} into the store and tags it there under its full
     * name. Blobs already in the store are not downloaded again. When the registry's index holds an
     * attestation manifest for that platform's image (BuildKit's layout), it comes too: the name is
     * then tagged with an index of the two, so provenance and SBOM survive the pull.
     *
     * @return the platform's manifest, and the digest the name resolved to in the registry (an index's
     *     when the name named one: what {@code docker pull} prints)
     */
    public Pulled pull(ImageName name, Platform platform) throws IOException {
        // Until the tag makes its blobs reachable, a garbage collection must wait.
        try (Store.Use use = store.sharedUse()) {
            return pullInUse(name, platform);
        }
    }

    /** A pulled image: its platform's manifest in the store, and the registry's digest for the name. */
    public record Pulled(Descriptor manifest, Digest digest) {}

    private Pulled pullInUse(ImageName name, Platform platform) throws IOException {
        ResolvedImage resolved = registry.resolve(name, platform);
        Manifest manifest = resolved.manifest().value();
        List<Descriptor> blobs = new ArrayList<>(manifest.layers());
        blobs.add(manifest.config());
        registry.fetchBlobs(name, blobs, sink());
        Descriptor descriptor = resolved.descriptor();
        store.putBytes(resolved.manifest().bytes());
        Descriptor tagged = descriptor;
        if (!resolved.indexes().isEmpty()) {
            Index chosenFrom = resolved.indexes().get(resolved.indexes().size() - 1).value();
            Optional<Descriptor> attestation = AttestationLayout.attestationFor(chosenFrom, descriptor.digest());
            if (attestation.isPresent()) {
                tagged = withAttestation(name, descriptor, attestation.get());
            }
        }
        store.tag(name.pinned().toString(), tagged);
        Digest root = resolved.indexes().isEmpty() ? resolved.manifest().digest() : resolved.indexes().get(0).digest();
        return new Pulled(descriptor, root);
    }

    /** Stores the attestation manifest and its statements, and an index of the image and it. */
    private Descriptor withAttestation(ImageName name, Descriptor image, Descriptor attestation) throws IOException {
        Document<ManifestOrIndex> document = registry.fetchManifest(
                new ImageName(name.registry(), name.repository(), null, attestation.digest().toString()));
        if (!(document.value() instanceof Manifest manifest)) {
            throw new IOException("the attestation manifest " + attestation.digest() + " of " + name + " is not a manifest");
        }
        List<Descriptor> blobs = new ArrayList<>(manifest.layers());
        blobs.add(manifest.config());
        registry.fetchBlobs(name, blobs, sink());
        store.putBytes(document.bytes());
        Index index = new Index(MediaTypes.OCI_INDEX, List.of(image, attestation));
        return store.putBytes(MediaTypes.OCI_INDEX, ImageDocuments.encode(index).bytes());
    }

    /**
     * Pushes the stored image (manifest or index) {@code descriptor} to {@code target}.
     *
     * @param mountSources layers known to exist in another repository of the target's registry
     *     (pulled bases), so the registry can mount them instead of receiving them again
     */
    public PushResult push(Descriptor descriptor, ImageName target, Map<Digest, ImageName> mountSources)
            throws IOException {
        Document<ManifestOrIndex> root = ImageDocuments.parseManifestOrIndex(store.readBytes(descriptor.digest()));
        PushOptions options = PushOptions.defaults().withMountSources(mountSources);
        return registry.push(target, root, source(), options);
    }

    /** The store as what a push reads, with each blob's size on disk so a damaged one is refused before the push begins. */
    private BlobSource source() {
        return new BlobSource() {
            @Override
            public InputStream open(Descriptor blob) throws IOException {
                return store.open(blob.digest());
            }

            @Override
            public OptionalLong size(Descriptor blob) throws IOException {
                // Absent is not damaged: a base's layers may be only in the registry, mounted or already there.
                return store.has(blob.digest()) ? OptionalLong.of(store.size(blob.digest())) : OptionalLong.empty();
            }

            @Override
            public String where() {
                return "the store (" + store.root() + ")";
            }
        };
    }

    /**
     * Makes every manifest with a {@code subject} in the pushed image {@code descriptor} (an index's attestation
     * manifests) an OCI 1.1 referrer of its subject in {@code target}'s repository (see
     * {@link RegistryClient#addReferrer}). Returns how many needed the fallback tag schema.
     */
    public int addReferrers(Descriptor descriptor, ImageName target) throws IOException {
        if (!MediaTypes.isIndex(descriptor.mediaType())) {
            return 0;
        }
        Index index = (Index) ImageDocuments.parseManifestOrIndex(store.readBytes(descriptor.digest())).value();
        int tagged = 0;
        for (Descriptor entry : index.manifests()) {
            if (!MediaTypes.isManifest(entry.mediaType())) {
                continue;
            }
            Manifest manifest = ImageDocuments.parseManifest(store.readBytes(entry.digest())).value();
            if (manifest.subject() == null) {
                continue;
            }
            Descriptor referrer = new Descriptor(entry.mediaType(), entry.digest(), entry.size(), null, manifest.annotations(),
                    null, null, manifest.artifactType() != null ? manifest.artifactType() : manifest.config().mediaType(), null);
            if (registry.addReferrer(target, manifest.subject().digest(), referrer)) {
                tagged++;
            }
        }
        return tagged;
    }

    /** The manifest or index {@code name} points at, with the registry's exact bytes (digest checked). */
    public Document<ManifestOrIndex> fetchManifest(ImageName name) throws IOException {
        return registry.fetchManifest(name);
    }

    /** {@code name} resolved to the image manifest for {@code platform} (through an index when it is one). */
    public ResolvedImage resolve(ImageName name, Platform platform) throws IOException {
        return registry.resolve(name, platform);
    }

    /** A small blob of {@code repository} (a config) into memory, digest and size verified. */
    public byte[] fetchBytes(ImageName repository, Descriptor blob) throws IOException {
        return registry.fetchBytes(repository, blob);
    }

    /**
     * One blob of {@code repository} into the store (nothing when the store has it), streamed with
     * its digest and size verified, so nothing partial or different is ever kept. The caller holds
     * the store in use (a build does) until something references the blob.
     */
    public void fetchBlob(ImageName repository, Descriptor blob) throws IOException {
        registry.fetchBlob(repository, blob, sink());
    }

    private BlobSink sink() {
        return new BlobSink() {
            @Override
            public boolean has(Descriptor blob) {
                // With its size: a damaged blob of that digest is downloaded again, and replaced.
                return store.has(blob);
            }

            @Override
            public Target create(Descriptor blob) throws IOException {
                BlobWriter writer = store.blobWriter(blob);
                return Target.of(writer, writer::commit);
            }
        };
    }
}
