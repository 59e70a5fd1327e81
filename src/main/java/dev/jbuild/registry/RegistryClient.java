package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

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
 */
public final class RegistryClient implements AutoCloseable {

    /** The most a manifest or index may weigh; containerd and distribution use the same bound. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** The most an image config may weigh when read into memory. */
    static final long MAX_CONFIG_BYTES = 64L << 20;
    private static final int MAX_INDEX_DEPTH = 8;

    private final RegistryOptions options;
    private final RegistryHttp http;
    private final BlobDownloader downloader;
    private final BlobUploader uploader;

    private RegistryClient(RegistryOptions options) {
        this.options = options;
        this.http = new RegistryHttp(options);
        this.downloader = new BlobDownloader(http);
        this.uploader = new BlobUploader(http);
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
        Platform wanted = platform == null ? Platform.host() : platform;
        Document<ManifestOrIndex> doc = fetchManifest(name);
        Descriptor descriptor = doc.descriptor();
        List<Document<Index>> indexes = new ArrayList<>();
        for (int depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
            if (doc.value() instanceof Manifest m) {
                return new ResolvedImage(name, descriptor, new Document<>(m, doc.bytes(), doc.digest()), indexes);
            }
            Index index = (Index) doc.value();
            indexes.add(new Document<>(index, doc.bytes(), doc.digest()));
            Optional<Descriptor> chosen = PlatformMatcher.of(wanted).best(index);
            if (chosen.isEmpty()) {
                String available = index.manifests().stream()
                        .filter(d -> d.platform() != null && !"unknown".equals(d.platform().os()))
                        .map(d -> d.platform().toString())
                        .distinct()
                        .collect(Collectors.joining(", "));
                throw new RegistryException("no image for platform " + wanted.normalize() + " in " + name.familiar()
                        + (available.isEmpty() ? "" : " (it has " + available + ")"));
            }
            descriptor = chosen.get();
            doc = fetchManifest(new ImageName(name.registry(), name.repository(), name.tag(), descriptor.digest().toString()));
            if (doc.size() != descriptor.size()) {
                throw new RegistryException("manifest " + descriptor.digest() + " of " + name.familiar() + " is " + doc.size()
                        + " bytes, but its index says " + descriptor.size());
            }
        }
        throw new RegistryException(name.familiar() + ": indexes nested more than " + MAX_INDEX_DEPTH + " deep");
    }

    /**
     * The manifest or index {@code name} points at (its digest if it has one, else its tag),
     * with the exact bytes served. A digest reference is verified against the content; a tag's
     * content is checked against the registry's {@code Docker-Content-Digest}.
     */
    public Document<ManifestOrIndex> fetchManifest(ImageName name) throws IOException {
        String registry = name.registryHost();
        String reference = name.digest() != null ? name.digest() : name.tag();
        String what = "pulling manifest " + name.familiar();
        String path = "/v2/" + name.repository() + "/manifests/" + reference;
        Map<String, String> headers = Map.of("Accept", String.join(", ", MediaTypes.ACCEPTED_MANIFESTS));
        return http.retry().run(what, progress -> {
            try (Response r = http.send(registry, "GET", path, headers, null, Scope.pull(name.repository()), what)) {
                if (r.status() == 404) {
                    throw notFound(r, name, what);
                }
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                byte[] bytes = r.body().readAtMost(MAX_MANIFEST_BYTES);
                Document<ManifestOrIndex> doc;
                try {
                    doc = ImageDocuments.parseManifestOrIndex(bytes, r.header("Content-Type").orElse(null));
                } catch (InvalidDocumentException e) {
                    throw new InvalidDocumentException(name.familiar() + ": " + e.getMessage(), e);
                }
                if (name.digest() != null) {
                    checkDigest(Digest.parse(name.digest()), bytes, name, "requested");
                }
                String reported = r.header("Docker-Content-Digest").orElse("").trim();
                if (Digest.isValid(reported)) {
                    checkDigest(Digest.parse(reported), bytes, name, "reported by the registry");
                }
                return doc;
            }
        });
    }

    /**
     * The descriptor of what {@code name} points at now, from a {@code HEAD} request (cheap, and
     * not counted against Docker Hub's pull limit); empty when it does not exist. For checking
     * whether a stored base image is still current ({@code --pull}).
     */
    public Optional<Descriptor> headManifest(ImageName name) throws IOException {
        String registry = name.registryHost();
        String reference = name.digest() != null ? name.digest() : name.tag();
        String what = "checking manifest " + name.familiar();
        String path = "/v2/" + name.repository() + "/manifests/" + reference;
        Map<String, String> headers = Map.of("Accept", String.join(", ", MediaTypes.ACCEPTED_MANIFESTS));
        HeadResult head = http.retry().run(what, progress -> {
            try (Response r = http.send(registry, "HEAD", path, headers, null, Scope.pull(name.repository()), what)) {
                if (r.status() == 404) {
                    return new HeadResult(false, null);
                }
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                String digest = r.header("Docker-Content-Digest").orElse("").trim();
                String type = r.header("Content-Type").orElse("").split(";", 2)[0].trim();
                long length = r.contentLength().orElse(-1);
                if (!Digest.isValid(digest) || length < 0 || type.isEmpty()) {
                    return new HeadResult(true, null);
                }
                return new HeadResult(true, new Descriptor(type, Digest.parse(digest), length));
            }
        });
        if (!head.found()) {
            return Optional.empty();
        }
        if (head.descriptor() != null) {
            return Optional.of(head.descriptor());
        }
        // The registry gave no digest on HEAD: fetch the manifest and compute it.
        try {
            return Optional.of(fetchManifest(name).descriptor());
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The image config of {@code manifest}, verified and parsed, from {@code repository}'s registry. */
    public Document<ImageConfig> fetchConfig(ImageName repository, Manifest manifest) throws IOException {
        Descriptor config = manifest.config();
        if (config.size() > MAX_CONFIG_BYTES) {
            throw new RegistryException("the image config of " + repository.familiar() + " is " + config.size()
                    + " bytes; refusing to read more than " + MAX_CONFIG_BYTES);
        }
        byte[] bytes = fetchBytes(repository, config);
        try {
            return ImageDocuments.parseConfig(bytes);
        } catch (InvalidDocumentException e) {
            throw new InvalidDocumentException(repository.familiar() + ": " + e.getMessage(), e);
        }
    }

    /** A small blob (a config, a manifest by digest) into memory, verified. */
    public byte[] fetchBytes(ImageName repository, Descriptor blob) throws IOException {
        if (blob.size() > MAX_CONFIG_BYTES) {
            throw new RegistryException("blob " + blob.digest() + " is too large to read into memory (" + blob.size() + " bytes)");
        }
        ByteArrayOutputStream[] holder = new ByteArrayOutputStream[1];
        BlobSink memory = new BlobSink() {
            @Override
            public boolean has(Descriptor d) {
                return false;
            }

            @Override
            public Target create(Descriptor d) {
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) d.size());
                return Target.of(out, () -> holder[0] = out);
            }
        };
        downloader.fetch(repository.registryHost(), repository.repository(), blob, memory);
        return holder[0].toByteArray();
    }

    /**
     * Downloads one blob into {@code sink} (nothing when the sink has it), streaming, with digest
     * and size verification, resuming after a broken connection where the registry allows.
     */
    public void fetchBlob(ImageName repository, Descriptor blob, BlobSink sink) throws IOException {
        downloader.fetch(repository.registryHost(), repository.repository(), blob, sink);
    }

    /**
     * Downloads blobs into {@code sink}, {@link RegistryOptions#parallelism()} at a time, each
     * distinct digest once, skipping those the sink has. The first failure cancels the rest and
     * is thrown (others are attached as suppressed); blobs that completed stay in the sink.
     */
    public void fetchBlobs(ImageName repository, Collection<Descriptor> blobs, BlobSink sink) throws IOException {
        Map<Digest, Descriptor> unique = new LinkedHashMap<>();
        for (Descriptor d : blobs) {
            unique.putIfAbsent(d.digest(), d);
        }
        List<IoTask> tasks = new ArrayList<>();
        for (Descriptor d : unique.values()) {
            tasks.add(() -> fetchBlob(repository, d, sink));
        }
        runAll(tasks, "jbuild-pull");
    }

    /** Whether {@code repository} has the blob. */
    public boolean blobExists(ImageName repository, Digest digest) throws IOException {
        return uploader.exists(repository.registryHost(), repository.repository(), digest, Scope.pull(repository.repository()),
                "checking blob " + digest + " in " + repository.registry() + "/" + repository.repository());
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
        if (target.digest() != null && !target.digest().equals(root.digest().toString())) {
            throw new RegistryException("cannot push " + root.digest() + " as " + target.familiar() + ": the digests differ");
        }
        PushState state = new PushState(target, content, pushOptions == null ? PushOptions.defaults() : pushOptions);
        pushTree(state, root.value(), 0);
        Set<String> tags = new LinkedHashSet<>();
        if (target.tag() != null) {
            tags.add(target.tag());
        }
        tags.addAll(state.options.additionalTags());
        String mediaType = root.value().mediaTypeOrDefault();
        List<String> references = new ArrayList<>();
        if (tags.isEmpty()) {
            putManifest(target, root.digest().toString(), root.bytes(), mediaType, root.digest());
        }
        for (String tag : tags) {
            putManifest(target, tag, root.bytes(), mediaType, root.digest());
            references.add(target.registry() + "/" + target.repository() + ":" + tag);
        }
        references.add(target.registry() + "/" + target.repository() + "@" + root.digest());
        return new PushResult(new Descriptor(mediaType, root.digest(), root.size()), references, state.uploaded.get(),
                state.mounted.get(), state.skipped.get(), state.bytes.get());
    }

    /**
     * Makes sure one blob is in {@code repository}: nothing when it is there, a mount when
     * {@code mountFrom} (may be null) is another repository of the same registry that has it,
     * else an upload. For pushing single blobs such as a registry build cache's layers.
     */
    public RegistryListener.Outcome pushBlob(ImageName repository, Descriptor blob, BlobSource content, ImageName mountFrom)
            throws IOException {
        String registry = repository.registryHost();
        String from = mountFrom != null && mountFrom.registryHost().equals(registry)
                && !mountFrom.repository().equals(repository.repository()) ? mountFrom.repository() : null;
        return uploader.push(registry, repository.repository(), blob, content, from, new AtomicLong());
    }

    /**
     * Puts a manifest or index document under {@code reference} (a tag or its digest) with its
     * exact bytes; returns its digest after checking the registry's {@code Docker-Content-Digest}.
     * Everything it references must already be in the repository.
     */
    public Digest pushManifest(ImageName repository, String reference, Document<? extends ManifestOrIndex> document) throws IOException {
        return putManifest(repository, reference, document.bytes(), document.value().mediaTypeOrDefault(), document.digest());
    }

    private final class PushState {
        final ImageName target;
        final BlobSource content;
        final PushOptions options;
        final Map<Digest, Boolean> blobsDone = new ConcurrentHashMap<>();
        final AtomicInteger uploaded = new AtomicInteger();
        final AtomicInteger mounted = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();

        PushState(ImageName target, BlobSource content, PushOptions options) {
            this.target = target;
            this.content = content;
            this.options = options;
        }
    }

    private void pushTree(PushState state, ManifestOrIndex doc, int depth) throws IOException {
        if (depth > MAX_INDEX_DEPTH) {
            throw new RegistryException("cannot push " + state.target.familiar() + ": indexes nested too deep");
        }
        if (doc instanceof Manifest m) {
            pushBlobs(state, m);
            return;
        }
        Index index = (Index) doc;
        for (Descriptor child : index.manifests()) {
            byte[] bytes = readManifest(state.content, child);
            Document<ManifestOrIndex> childDoc = ImageDocuments.parseManifestOrIndex(bytes, child.mediaType());
            pushTree(state, childDoc.value(), depth + 1);
            String type = child.mediaType() != null && !child.mediaType().isEmpty() ? child.mediaType() : childDoc.value().mediaTypeOrDefault();
            putManifest(state.target, child.digest().toString(), bytes, type, child.digest());
        }
    }

    private void pushBlobs(PushState state, Manifest m) throws IOException {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(m.config());
        blobs.addAll(m.layers());
        List<IoTask> tasks = new ArrayList<>();
        String registry = state.target.registryHost();
        for (Descriptor blob : blobs) {
            if (MediaTypes.isForeignLayer(blob.mediaType()) && blob.urls() != null && !blob.urls().isEmpty()) {
                continue; // non-distributable: the registry is not asked to store it
            }
            if (state.blobsDone.putIfAbsent(blob.digest(), Boolean.TRUE) != null) {
                continue;
            }
            ImageName source = state.options.mountSources().get(blob.digest());
            String mountFrom = source != null && source.registryHost().equals(registry)
                    && !source.repository().equals(state.target.repository()) ? source.repository() : null;
            tasks.add(() -> {
                RegistryListener.Outcome outcome = uploader.push(registry, state.target.repository(), blob, state.content, mountFrom,
                        state.bytes);
                switch (outcome) {
                    case UPLOADED:
                        state.uploaded.incrementAndGet();
                        break;
                    case MOUNTED:
                        state.mounted.incrementAndGet();
                        break;
                    default:
                        state.skipped.incrementAndGet();
                        break;
                }
            });
        }
        runAll(tasks, "jbuild-push");
    }

    private static byte[] readManifest(BlobSource content, Descriptor d) throws IOException {
        if (d.size() > MAX_MANIFEST_BYTES) {
            throw new RegistryException("manifest " + d.digest() + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        byte[] bytes;
        try (InputStream in = content.open(d)) {
            bytes = in.readNBytes((int) d.size() + 1);
        }
        Digest actual = Digest.of(d.digest().algorithm(), bytes);
        if (bytes.length != d.size() || !actual.equals(d.digest())) {
            throw new dev.jbuild.image.DigestMismatchException("manifest " + d.digest() + " read for pushing does not match its descriptor",
                    d.digest(), actual);
        }
        return bytes;
    }

    private Digest putManifest(ImageName repo, String reference, byte[] bytes, String mediaType, Digest digest) throws IOException {
        String what = "pushing manifest " + digest + " to " + repo.registry() + "/" + repo.repository()
                + (reference.equals(digest.toString()) ? "" : ":" + reference);
        String path = "/v2/" + repo.repository() + "/manifests/" + reference;
        return http.retry().run(what, progress -> {
            try (Response r = http.send(repo.registryHost(), "PUT", path, Map.of("Content-Type", mediaType),
                    () -> HttpRequest.BodyPublishers.ofByteArray(bytes), Scope.push(repo.repository()), what)) {
                if (r.status() != 201 && r.status() != 200 && r.status() != 202) {
                    throw r.failure(what);
                }
                String reported = r.header("Docker-Content-Digest").orElse("").trim();
                if (Digest.isValid(reported) && !Digest.parse(reported).equals(digest)) {
                    throw new RegistryException(what + ": the registry computed digest " + reported);
                }
                return digest;
            }
        });
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

    // ---- helpers --------------------------------------------------------------------------------

    private static RegistryException notFound(Response r, ImageName name, String what) {
        List<RegistryException.Error> errors = r.errors();
        return new RegistryException(what + " failed: " + name.familiar() + " not found ("
                + RegistryException.describe(404, errors) + ")", 404, errors, null, null);
    }

    private static void checkDigest(Digest expected, byte[] bytes, ImageName name, String which) throws IOException {
        Digest actual = Digest.of(expected.algorithm(), bytes);
        if (!actual.equals(expected)) {
            throw new dev.jbuild.image.DigestMismatchException(name.familiar() + ": manifest content has digest " + actual
                    + ", not the " + which + " " + expected, expected, actual);
        }
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws IOException;
    }

    /** Runs tasks on a bounded pool; the first failure cancels the rest and is thrown. */
    private void runAll(List<IoTask> tasks, String threadName) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        if (tasks.size() == 1 || options.parallelism() == 1) {
            for (IoTask t : tasks) {
                t.run();
            }
            return;
        }
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallelism(), tasks.size()), factory);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (IoTask t : tasks) {
                futures.add(pool.submit(() -> {
                    t.run();
                    return null;
                }));
            }
            IOException first = null;
            for (Future<Void> f : futures) {
                try {
                    if (first == null) {
                        f.get();
                    } else {
                        f.cancel(true);
                    }
                } catch (ExecutionException e) {
                    IOException failure = asIOException(e.getCause());
                    first = failure;
                    for (Future<Void> other : futures) {
                        other.cancel(true);
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // Cancelled after the first failure.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    for (Future<Void> other : futures) {
                        other.cancel(true);
                    }
                    throw new InterruptedIOException("interrupted");
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
            // Cancelled transfers delete their partial files as they stop: wait for that, so a failed
            // pull returns with nothing half-written left behind.
            try {
                if (!pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    http.options().listener().warning("transfers still stopping after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static IOException asIOException(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }

    @Override
    public void close() {
        http.close();
    }

    private record HeadResult(boolean found, Descriptor descriptor) {}
}
