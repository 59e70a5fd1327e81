package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.Platform;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * jbuild's OCI distribution client: resolves and pulls images (manifests, configs, layers) from
 * registries and pushes images and indexes to them, over {@code java.net.http}, with Docker's
 * authentication, TLS and proxy conventions and retries of transient failures.
 *
 * <p>A client is thread-safe and keeps per-registry state (the endpoint, tokens), so share one
 * per build. Content never passes through the client's memory except manifests and configs:
 * blobs stream between the network and a {@link BlobSink} or {@link BlobSource}.
 *
 * <pre>{@code
 * try (RegistryClient client = RegistryClient.create(RegistryOptions.defaults())) {
 *     ResolvedImage base = client.resolve(ImageName.parse("alpine:3.19"), Platform.parse("linux/arm64"));
 *     client.fetchBlobs(base.name(), base.manifest().value().layers(), sink);
 * }
 * }</pre>
 *
 * <p>The work is done by {@link ImagePuller} and {@link ImagePusher}, which share the
 * authenticated HTTP ({@link RegistryHttp}) and run parallel blob transfers on a {@link TransferPool}.
 */
public final class RegistryClient implements AutoCloseable {

    /** The most a manifest or index may weigh; containerd and distribution use the same bound. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** The most an image config may weigh when read into memory. */
    static final long MAX_CONFIG_BYTES = 64L << 20;
    /** How deep indexes may nest, pulling or pushing. */
    static final int MAX_INDEX_DEPTH = 8;

    private final RegistryOptions options;
    private final RegistryHttp http;
    private final ImagePuller puller;
    private final ImagePusher pusher;
    private final Referrers referrers;

    private RegistryClient(RegistryOptions options) {
        this.options = options;
        this.http = new RegistryHttp(options);
        TransferPool pool = new TransferPool(options);
        this.puller = new ImagePuller(http, pool);
        this.pusher = new ImagePusher(http, pool);
        this.referrers = new Referrers(http, puller, pusher);
    }

    public static RegistryClient create(RegistryOptions options) {
        return new RegistryClient(options);
    }

    /** A client with {@link RegistryOptions#defaults()}. */
    public static RegistryClient create() {
        return new RegistryClient(RegistryOptions.defaults());
    }

    public RegistryOptions options() {
        return options;
    }

    // ---- pull -----------------------------------------------------------------------------------

    /**
     * Resolves {@code name} to the image manifest for {@code platform} (null: the host's):
     * fetches the manifest or index the tag or digest names and, for an index (or Docker
     * manifest list), picks the best entry for the platform and fetches that.
     *
     * @throws RegistryException naming the image when it does not exist, has no image for the
     *     platform, or the registry fails; {@link InvalidDocumentException} for schema 1 and
     *     other unusable documents
     */
    public ResolvedImage resolve(ImageName name, Platform platform) throws IOException {
        return puller.resolve(name, platform);
    }

    /**
     * The manifest or index {@code name} points at (its digest if it has one, else its tag),
     * with the exact bytes served. A digest reference is verified against the content; a tag's
     * content is checked against the registry's {@code Docker-Content-Digest}.
     */
    public Document<ManifestOrIndex> fetchManifest(ImageName name) throws IOException {
        return puller.fetchManifest(name);
    }

    /**
     * The descriptor of what {@code name} points at now, from a {@code HEAD} request (cheap, and
     * not counted against Docker Hub's pull limit); empty when it does not exist.
     */
    Optional<Descriptor> headManifest(ImageName name) throws IOException {
        return puller.headManifest(name);
    }

    /** The image config of {@code manifest}, verified and parsed, from {@code repository}'s registry. */
    Document<ImageConfig> fetchConfig(ImageName repository, Manifest manifest) throws IOException {
        return puller.fetchConfig(repository, manifest);
    }

    /** A small blob (a config, a manifest by digest) into memory, verified. */
    public byte[] fetchBytes(ImageName repository, Descriptor blob) throws IOException {
        return puller.fetchBytes(repository, blob);
    }

    /**
     * Downloads one blob into {@code sink} (nothing when the sink has it), streaming, with digest
     * and size verification, resuming after a broken connection where the registry allows.
     */
    public void fetchBlob(ImageName repository, Descriptor blob, BlobSink sink) throws IOException {
        puller.fetchBlob(repository, blob, sink);
    }

    /**
     * Downloads blobs into {@code sink}, {@link RegistryOptions#parallelism()} at a time, each
     * distinct digest once, skipping those the sink has. The first failure cancels the rest and
     * is thrown (what the cancelled ones then fail with is not reported); blobs that completed stay in the sink.
     */
    public void fetchBlobs(ImageName repository, Collection<Descriptor> blobs, BlobSink sink) throws IOException {
        puller.fetchBlobs(repository, blobs, sink);
    }

    /** Whether {@code repository} has the blob. */
    boolean blobExists(ImageName repository, Digest digest) throws IOException {
        return pusher.blobExists(repository, digest);
    }

    // ---- push -----------------------------------------------------------------------------------

    /**
     * Pushes an image (a manifest) or a multi-platform index with everything it references to
     * {@code target}: blobs first (skipped when present, mounted when {@code options} says where
     * else on the registry they are, else uploaded, several at a time), then for an index each
     * child manifest by digest, and last the root document with its exact bytes under the
     * target's tag, each additional tag, or only its digest when the target has no tag.
     * Content is read from {@code content}: blobs and, for an index, the child manifests.
     */
    public PushResult push(ImageName target, Document<? extends ManifestOrIndex> root, BlobSource content, PushOptions pushOptions)
            throws IOException {
        return pusher.push(target, root, content, pushOptions);
    }

    /**
     * Makes sure one blob is in {@code repository}: nothing when it is there, a mount when
     * {@code mountFrom} (may be null) is another repository of the same registry that has it,
     * else an upload. For pushing single blobs such as a registry build cache's layers.
     */
    public RegistryListener.Outcome pushBlob(ImageName repository, Descriptor blob, BlobSource content, ImageName mountFrom)
            throws IOException {
        return pusher.pushBlob(repository, blob, content, mountFrom);
    }

    /**
     * Puts a manifest or index document under {@code reference} (a tag or its digest) with its
     * exact bytes; returns its digest after checking the registry's {@code Docker-Content-Digest}.
     * Everything it references must already be in the repository.
     */
    public Digest pushManifest(ImageName repository, String reference, Document<? extends ManifestOrIndex> document) throws IOException {
        return pusher.pushManifest(repository, reference, document);
    }

    /**
     * Makes {@code referrer}, a manifest with {@code subject} already in {@code repository}, findable through
     * OCI 1.1's referrers listing: where the registry has the referrers API it lists the manifest by itself;
     * otherwise the index under the tag {@code sha256-<hex of subject>} gains the referrer's descriptor
     * (the distribution spec's tag schema). Returns true when that fallback tag was used.
     */
    public boolean addReferrer(ImageName repository, Digest subject, Descriptor referrer) throws IOException {
        return referrers.add(repository, subject, referrer) == Referrers.Outcome.TAG;
    }

    /** The OCI 1.1 referrers of {@code subject}: the registry's API, else the tag schema's index; empty when neither has any. */
    public List<Descriptor> referrers(ImageName repository, Digest subject) throws IOException {
        Optional<Index> listed = referrers.list(repository, subject);
        if (listed.isPresent()) {
            return listed.get().manifests();
        }
        try {
            Document<ManifestOrIndex> tag = puller.fetchManifest(new ImageName(repository.registry(), repository.repository(),
                    Referrers.tagOf(subject), null));
            return tag.value() instanceof Index index ? index.manifests() : List.of();
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                return List.of();
            }
            throw e;
        }
    }

    // ---- login ----------------------------------------------------------------------------------

    /**
     * Checks {@code credentials} against {@code registry} ({@code host[:port]}, or
     * {@code docker.io}) the way {@code docker login} does: a {@code GET /v2/} authenticated with
     * them (directly for Basic, through the token server for Bearer). Returns normally when they
     * are accepted (or the registry needs none).
     *
     * @throws RegistryAuthException when they are refused, naming the registry
     */
    public void verifyCredentials(String registry, Credentials credentials) throws IOException {
        String host = RegistryOptions.normalizeRegistry(registry).equals(ImageName.DOCKER_HUB) ? "registry-1.docker.io" : registry;
        Authenticator auth = new Authenticator(host, http.transport(), credentials);
        String what = "logging in to " + registry;
        http.retry().run(what, progress -> {
            try (Response r = http.send(auth, host, "GET", "/v2/", Map.of(), null, Scope.none(), what)) {
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                return null;
            }
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
