package dev.jbuild.engine.stage;

import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.fs.LayerOrigin;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.fs.Lower;
import dev.jbuild.export.Exporter;
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
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loads the images stages start from or copy out of, and indexes their file trees.
 *
 * <p>Stages run concurrently and may ask for the same image at once: each reference is resolved
 * under its own lock, so the second stage waits and then finds the image pulled and loaded
 * instead of pulling it again; different references proceed in parallel, except the registry
 * transfer itself, which runs one at a time (each pull already moves its layers in parallel, and
 * it keeps the blob progress events attributable to their pull step, see {@link BuildListener#PULL}).
 */
public final class BaseImages {

    /** Indexes in indexes are allowed (BuildKit reads them); this many levels, as the exporter allows. */
    private static final int MAX_INDEX_DEPTH = 8;

    private final BuildSession session;
    private final ImageTransfer transfer;
    /** Loaded images by manifest digest: a base used twice is indexed once. */
    private final Map<String, ImageState> loaded = new ConcurrentHashMap<>();
    /** Which repository each base layer came from, so a push can ask its registry to mount it. */
    private final Map<Digest, ImageName> layerSources = new ConcurrentHashMap<>();
    /** Names (with a platform) already looked up in their registry during this build (--pull checks each once). */
    private final Map<String, Found> pulled = new ConcurrentHashMap<>();
    /**
     * Names whose pull failed during this build, with the failure: a name is resolved once per
     * build, so a step that asks again (a COPY --from is looked up for its cache key and again to
     * run) gets the same failure at once instead of another round of registry retries.
     */
    private final Map<String, IOException> failedPulls = new ConcurrentHashMap<>();
    /** One lock per reference asked for: the same image is pulled and loaded once. */
    private final Map<String, ReentrantLock> referenceLocks = new ConcurrentHashMap<>();
    /** Held while a registry transfer runs; one for all platforms of a build (BuildListener#PULL). */
    private final ReentrantLock transferLock;

    /**
     * @param transfer     the registry access, or null when there is none
     * @param transferLock shared by the platforms of one build, which build at the same time
     */
    public BaseImages(BuildSession session, ImageTransfer transfer, ReentrantLock transferLock) {
        this.session = session;
        this.transfer = transfer;
        this.transferLock = transferLock;
    }

    public Map<Digest, ImageName> layerSources() {
        return layerSources;
    }

    /** An empty image for the build's platform, with Docker's default PATH and "/" as working directory (BuildKit's emptyImage). */
    public ImageState scratch() {
        ImageConfig config = ImageConfig.forPlatform(session.request().platform())
                .withConfig(ImageConfig.Config.EMPTY.withEnv(List.of("PATH=" + ImageState.DEFAULT_PATH)).withWorkingDir("/"));
        ImageState state = new ImageState(config, List.of(), List.of(), new FsView(), List.of());
        state.setCacheKey("scratch " + session.request().platform().normalize());
        return state;
    }

    /** An image by reference, for the build's platform: a named OCI-layout context, or a name in the local store. */
    public ImageState image(String reference, Location at) throws BuildException {
        return image(reference, at, session.request().platform());
    }

    /** An image by reference, for {@code platform} (a stage's {@code FROM --platform}), as {@link #image(String, Location)}. */
    public ImageState image(String reference, Location at, Platform platform) throws BuildException {
        ReentrantLock lock = referenceLocks.computeIfAbsent(key(reference, platform), k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(at, "loading image " + reference + ": interrupted", e);
        }
        try {
            return imageLocked(reference, at, platform);
        } finally {
            lock.unlock();
        }
    }

    /** What the pulls are remembered by: a name stands for one image per platform. */
    private static String key(String reference, Platform platform) {
        return reference + " " + platform.normalize();
    }

    private ImageState imageLocked(String reference, Location at, Platform platform) throws BuildException {
        NamedContext named = session.request().namedContexts().get(reference);
        Descriptor manifest;
        try {
            if (named instanceof NamedContext.OciLayout layout) {
                manifest = platformManifest(Exporter.importOciLayout(session.store(), layout.path(), layout.reference(),
                        platform), at, platform);
                session.materials().ociLayout(reference, platform, manifest.digest());
            } else if (named instanceof NamedContext.Directory) {
                throw new BuildException(at, "build context \"" + reference + "\" is a directory, not an image");
            } else {
                // docker-image://REF names another image; otherwise the reference itself is the image.
                ImageName name = ImageName.parse(named instanceof NamedContext.Image image ? image.reference() : reference);
                Found found = fromStoreOrRegistry(name, at, platform);
                manifest = platformManifest(found.image(), at, platform);
                session.materials().image(name, platform, resolvedDigest(name, found, manifest));
                ImageState state = load(manifest, reference, at);
                state.layers().forEach(layer -> layerSources.putIfAbsent(layer.descriptor().digest(), name));
                return state;
            }
            return load(manifest, reference, at);
        } catch (IOException | IllegalArgumentException e) {
            throw new BuildException(at, "loading image " + reference + ": " + e.getMessage(), e);
        }
    }

    /**
     * An image found for a name: what the store holds for it, and the digest the registry resolved the name to
     * (an index's when the name named one) when this build pulled it, else null.
     */
    private record Found(Descriptor image, Digest registryDigest) {}

    /**
     * The digest the material names, as BuildKit records it: what the name resolved to, the index when the tag or
     * digest names one, so that the purl's {@code digest=} and the material's digest agree. A name with a digest
     * resolved to that digest; a pull says what the registry resolved the tag to. A tag found in the store has only
     * the manifest the store kept for the platform (the store does not remember the registry's index).
     */
    private static Digest resolvedDigest(ImageName name, Found found, Descriptor platformManifest) {
        if (name.digest() != null) {
            return Digest.parse(name.digest());
        }
        return found.registryDigest() != null ? found.registryDigest() : platformManifest.digest();
    }

    /** The store's copy, unless --pull or it is missing: then the registry's, stored for next time. */
    private Found fromStoreOrRegistry(ImageName name, Location at, Platform platform) throws IOException, BuildException {
        String key = key(name.toString(), platform);
        Found known = pulled.get(key);
        if (known != null) {
            return known;
        }
        IOException failed = failedPulls.get(key);
        if (failed != null) {
            throw failed;
        }
        Optional<Descriptor> stored = session.store().resolve(name.pinned().toString());
        if (stored.isPresent() && !session.request().pull()) {
            return new Found(stored.get(), null);
        }
        if (transfer == null) {
            throw new BuildException(at, "image " + name.familiar() + " is not in the local store and no registry is configured");
        }
        try {
            transferLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted before pulling " + name);
        }
        try {
            StepId step = session.startStep(BuildListener.PULL, 0, 0, "pulling " + name);
            long started = System.nanoTime();
            Found descriptor;
            try {
                ImageTransfer.Pulled image = transfer.pull(name, platform);
                descriptor = new Found(image.manifest(), image.digest());
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                failedPulls.put(key, e);
                throw e;
            }
            session.listener().stepFinished(step, Duration.ofNanos(System.nanoTime() - started));
            pulled.put(key, descriptor);
            return descriptor;
        } finally {
            transferLock.unlock();
        }
    }

    /** The manifest for {@code platform} that {@code descriptor} (a manifest or an index in the store) holds. */
    private Descriptor platformManifest(Descriptor descriptor, Location at, Platform platform) throws IOException, BuildException {
        Descriptor current = descriptor;
        for (int depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
            ManifestOrIndex document = ImageDocuments.parseManifestOrIndex(session.store().readBytes(current.digest())).value();
            if (!(document instanceof Index index)) {
                return current;
            }
            current = PlatformMatcher.of(platform).best(index)
                    .orElseThrow(() -> new BuildException(at, "the image has no manifest for " + platform));
        }
        throw new BuildException(at, "the image's indexes are nested deeper than " + MAX_INDEX_DEPTH);
    }

    /** The image manifest {@code descriptor} names in the store; {@code reference} is how errors name it. */
    private ImageState load(Descriptor descriptor, String reference, Location at) throws IOException, BuildException {
        Document<ManifestOrIndex> document = ImageDocuments.parseManifestOrIndex(session.store().readBytes(descriptor.digest()));
        if (!(document.value() instanceof Manifest manifest)) {
            throw new BuildException(at, "image " + reference + ": " + descriptor.digest() + " is not an image manifest");
        }
        ImageState cached = loaded.get(document.digest().toString());
        if (cached != null) {
            return cached.copy();
        }
        ImageConfig config = ImageDocuments.parseConfig(session.store().readBytes(manifest.config().digest())).value();
        List<LayerRecord> layers = new ArrayList<>();
        List<Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new IOException("the config of image " + reference + " lists " + diffIds.size() + " diff_ids for "
                    + manifest.layers().size() + (manifest.layers().size() == 1 ? " layer" : " layers"));
        }
        for (int i = 0; i < manifest.layers().size(); i++) {
            layers.add(new LayerRecord(manifest.layers().get(i), diffIds.get(i)));
        }
        List<ImageConfig.History> history = config.history() == null ? List.of() : config.history();
        ImageState state = new ImageState(config.withoutUnknownFields().withHistory(null).withRootfs(null), layers, history,
                new FsView(), List.of(new Lower.Chain(layers)));
        // The tree is read from the layer blobs only when a step needs it: a fully cached build never does.
        // Each layer's diff_id is checked against its blob as it is indexed (LayerIndex), on first use.
        for (int i = 0; i < layers.size(); i++) {
            LayerRecord layer = layers.get(i);
            LayerOrigin origin = new LayerOrigin(reference, i, layers.size());
            if (!MediaTypes.isLayer(layer.descriptor().mediaType())) {
                // Read as a tar, an artifact's blob would fail somewhere later with a message about tar headers.
                throw new IOException(origin.describe(layer.descriptor().digest()) + " has the media type "
                        + layer.descriptor().mediaType() + ", which is not a layer's (tar, tar+gzip or tar+zstd)");
            }
            if (!session.store().has(layer.descriptor().digest())) {
                throw new IOException(origin.describe(layer.descriptor().digest()) + " is not in the store");
            }
            // A blob the store had already was not copied, so nothing compared it with this manifest's size.
            long stored = session.store().size(layer.descriptor().digest());
            if (stored != layer.descriptor().size()) {
                throw new IOException("the manifest gives " + origin.describe(layer.descriptor().digest()) + " a size of "
                        + layer.descriptor().size() + " bytes, but the blob of that digest has " + stored);
            }
            state.indexLater(layer, origin, session.store());
        }
        state.setCacheKey(document.digest().toString());
        // Two references naming the same manifest may load it at once; keep one, both are equal.
        ImageState kept = loaded.putIfAbsent(document.digest().toString(), state);
        return (kept != null ? kept : state).copy();
    }
}
