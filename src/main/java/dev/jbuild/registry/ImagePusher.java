package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pushing half of {@link RegistryClient}: an image or index tree pushed leaves first (each
 * blob once, by {@link BlobUploader}: skipped when present, mounted from another repository of the
 * registry when known to be there, else uploaded, several at a time on a {@link TransferPool}),
 * then each child manifest by digest, then the root under its tags; and single blobs and manifests
 * for callers that assemble their own tree (a registry build cache).
 */
final class ImagePusher {

    private final RegistryHttp http;
    private final BlobUploader uploader;
    private final TransferPool pool;

    ImagePusher(RegistryHttp http, TransferPool pool) {
        this.http = http;
        this.uploader = new BlobUploader(http);
        this.pool = pool;
    }

    /** See {@link RegistryClient#push}. */
    PushResult push(ImageName target, Document<? extends ManifestOrIndex> root, BlobSource content, PushOptions pushOptions)
            throws IOException {
        if (target.digest() != null && !target.digest().equals(root.digest().toString())) {
            throw new RegistryException("cannot push " + root.digest() + " as " + target.familiar() + ": the digests differ");
        }
        PushState state = new PushState(target, content, pushOptions == null ? PushOptions.defaults() : pushOptions);
        checkTree(state, root.value(), 0);
        pushTree(state, root.value());
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

    /** See {@link RegistryClient#pushBlob}. */
    RegistryListener.Outcome pushBlob(ImageName repository, Descriptor blob, BlobSource content, ImageName mountFrom)
            throws IOException {
        return uploader.push(repository.registryHost(), repository.repository(), blob, content, mountRepository(repository, mountFrom),
                new AtomicLong());
    }

    /** See {@link RegistryClient#pushManifest}. */
    Digest pushManifest(ImageName repository, String reference, Document<? extends ManifestOrIndex> document) throws IOException {
        return putManifest(repository, reference, document.bytes(), document.value().mediaTypeOrDefault(), document.digest());
    }

    /** See {@link RegistryClient#blobExists}. */
    boolean blobExists(ImageName repository, Digest digest) throws IOException {
        return uploader.exists(repository.registryHost(), repository.repository(), digest, -1, Scope.pull(repository.repository()),
                "checking blob " + digest + " in " + repository.registry() + "/" + repository.repository());
    }

    /** The repository to mount from: {@code source}'s when it is another repository of the target's registry, else null. */
    private static String mountRepository(ImageName target, ImageName source) {
        return source != null && source.registryHost().equals(target.registryHost())
                && !source.repository().equals(target.repository()) ? source.repository() : null;
    }

    /** One push of a tree: what it has done so far, shared by its parallel blob transfers. */
    private static final class PushState {
        final ImageName target;
        final BlobSource content;
        final PushOptions options;
        final Map<Digest, Boolean> blobsDone = new ConcurrentHashMap<>();
        /** The child manifests of an index, read (and verified) once by {@link #checkTree}. */
        final Map<Digest, byte[]> childManifests = new ConcurrentHashMap<>();
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

    /**
     * Checks the whole tree against the content before anything is sent: each child manifest's
     * digest, and each blob's size where the source can tell it cheaply. A truncated blob in the
     * store is the store's damage, to be said as such, not an upload failure after others went out.
     */
    private void checkTree(PushState state, ManifestOrIndex doc, int depth) throws IOException {
        if (depth > RegistryClient.MAX_INDEX_DEPTH) {
            throw new RegistryException("cannot push " + state.target.familiar() + ": indexes nested too deep");
        }
        if (doc instanceof Manifest m) {
            for (Descriptor blob : blobsToPush(m)) {
                OptionalLong size = state.content.size(blob);
                if (size.isPresent() && size.getAsLong() != blob.size()) {
                    throw new LocalIOException("blob " + blob.digest() + " in " + state.content.where() + " is damaged: "
                            + size.getAsLong() + " bytes, the manifest gives " + blob.size());
                }
            }
            return;
        }
        for (Descriptor child : ((Index) doc).manifests()) {
            byte[] bytes = readManifest(state.content, child);
            state.childManifests.put(child.digest(), bytes);
            checkTree(state, ImageDocuments.parseManifestOrIndex(bytes, child.mediaType()).value(), depth + 1);
        }
    }

    /** The blobs of {@code m} the registry is asked to store: all but non-distributable layers (those with URLs). */
    private static List<Descriptor> blobsToPush(Manifest m) {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(m.config());
        for (Descriptor layer : m.layers()) {
            if (!(MediaTypes.isForeignLayer(layer.mediaType()) && layer.urls() != null && !layer.urls().isEmpty())) {
                blobs.add(layer);
            }
        }
        return blobs;
    }

    /** Pushes a tree {@link #checkTree} has checked (and read). */
    private void pushTree(PushState state, ManifestOrIndex doc) throws IOException {
        if (doc instanceof Manifest m) {
            pushBlobs(state, m);
            return;
        }
        Index index = (Index) doc;
        for (Descriptor child : index.manifests()) {
            byte[] bytes = state.childManifests.get(child.digest());
            Document<ManifestOrIndex> childDoc = ImageDocuments.parseManifestOrIndex(bytes, child.mediaType());
            pushTree(state, childDoc.value());
            String type = child.mediaType() != null && !child.mediaType().isEmpty() ? child.mediaType() : childDoc.value().mediaTypeOrDefault();
            putManifest(state.target, child.digest().toString(), bytes, type, child.digest());
        }
    }

    private void pushBlobs(PushState state, Manifest m) throws IOException {
        List<TransferPool.Task> tasks = new ArrayList<>();
        String registry = state.target.registryHost();
        for (Descriptor blob : blobsToPush(m)) {
            if (state.blobsDone.putIfAbsent(blob.digest(), Boolean.TRUE) != null) {
                continue;
            }
            String mountFrom = mountRepository(state.target, state.options.mountSources().get(blob.digest()));
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
        pool.runAll(tasks, "jbuild-push");
    }

    private static byte[] readManifest(BlobSource content, Descriptor d) throws IOException {
        if (d.size() > RegistryClient.MAX_MANIFEST_BYTES) {
            throw new RegistryException("manifest " + d.digest() + " is larger than " + RegistryClient.MAX_MANIFEST_BYTES + " bytes");
        }
        byte[] bytes;
        try (InputStream in = content.open(d)) {
            bytes = in.readNBytes((int) d.size() + 1);
        }
        Digest actual = Digest.of(d.digest().algorithm(), bytes);
        if (bytes.length != d.size() || !actual.equals(d.digest())) {
            throw new DigestMismatchException("manifest " + d.digest() + " read for pushing does not match its descriptor",
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
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                String reported = r.header("Docker-Content-Digest").orElse("").trim();
                boolean reportedValid = Digest.isValid(reported);
                if (reportedValid && !Digest.parse(reported).equals(digest)) {
                    throw new RegistryException(what + ": the registry computed digest " + reported);
                }
                // The spec's answer is 201 Created. Another success is believed only with the digest
                // computed by the server: a 200 from something that stored nothing must not pass.
                if (r.status() != 201 && !reportedValid) {
                    throw new RegistryException(what + " failed: " + repo.registry() + " answered HTTP " + r.status()
                            + " instead of 201 Created, without the manifest's digest in Docker-Content-Digest; the manifest"
                            + " may not be stored", r.status(), List.of(), null, null);
                }
                return digest;
            }
        });
    }
}
