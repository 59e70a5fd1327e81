package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pulling half of {@link RegistryClient}: manifests and indexes by tag or digest (verified
 * against the reference and the registry's {@code Docker-Content-Digest}), an index narrowed to
 * one platform, configs and other small blobs into memory, and blobs streamed into a
 * {@link BlobSink} by {@link BlobDownloader}, several at a time on a {@link TransferPool}.
 */
final class ImagePuller {

    private static final String ACCEPT = String.join(", ", MediaTypes.ACCEPTED_MANIFESTS);

    private final RegistryHttp http;
    private final BlobDownloader downloader;
    private final TransferPool pool;

    ImagePuller(RegistryHttp http, TransferPool pool) {
        this.http = http;
        this.downloader = new BlobDownloader(http);
        this.pool = pool;
    }

    /** See {@link RegistryClient#resolve}. */
    ResolvedImage resolve(ImageName name, Platform platform) throws IOException {
        Platform wanted = platform == null ? Platform.host() : platform;
        Document<ManifestOrIndex> doc = fetchManifest(name);
        Descriptor descriptor = doc.descriptor();
        List<Document<Index>> indexes = new ArrayList<>();
        for (int depth = 0; depth < RegistryClient.MAX_INDEX_DEPTH; depth++) {
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
        throw new RegistryException(name.familiar() + ": indexes nested more than " + RegistryClient.MAX_INDEX_DEPTH + " deep");
    }

    /** See {@link RegistryClient#fetchManifest}. */
    Document<ManifestOrIndex> fetchManifest(ImageName name) throws IOException {
        String registry = name.registryHost();
        String what = "pulling manifest " + name.familiar();
        String path = manifestPath(name);
        return http.retry().run(what, progress -> {
            try (Response r = http.send(registry, "GET", path, Map.of("Accept", ACCEPT), null, Scope.pull(name.repository()), what)) {
                if (r.status() == 404) {
                    throw notFound(r, name, what);
                }
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                byte[] bytes = r.body().readAtMost(RegistryClient.MAX_MANIFEST_BYTES);
                Document<ManifestOrIndex> doc;
                try {
                    doc = ImageDocuments.parseManifestOrIndex(bytes, r.header("Content-Type").orElse(null));
                } catch (InvalidDocumentException e) {
                    throw new InvalidDocumentException(name.familiar() + ": " + e.getMessage(), e);
                }
                if (name.digest() != null) {
                    checkDigest(Digest.parse(name.digest()), bytes, name, "requested digest");
                }
                String reported = r.header("Docker-Content-Digest").orElse("").trim();
                if (Digest.isValid(reported)) {
                    checkDigest(Digest.parse(reported), bytes, name, "digest the registry reported (Docker-Content-Digest)");
                }
                return doc;
            }
        });
    }

    /** See {@link RegistryClient#headManifest}. */
    Optional<Descriptor> headManifest(ImageName name) throws IOException {
        String registry = name.registryHost();
        String what = "checking manifest " + name.familiar();
        String path = manifestPath(name);
        HeadResult head = http.retry().run(what, progress -> {
            try (Response r = http.send(registry, "HEAD", path, Map.of("Accept", ACCEPT), null, Scope.pull(name.repository()), what)) {
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

    /** See {@link RegistryClient#fetchConfig}. */
    Document<ImageConfig> fetchConfig(ImageName repository, Manifest manifest) throws IOException {
        Descriptor config = manifest.config();
        if (config.size() > RegistryClient.MAX_CONFIG_BYTES) {
            throw new RegistryException("the image config of " + repository.familiar() + " is " + config.size()
                    + " bytes; refusing to read more than " + RegistryClient.MAX_CONFIG_BYTES);
        }
        byte[] bytes = fetchBytes(repository, config);
        try {
            return ImageDocuments.parseConfig(bytes);
        } catch (InvalidDocumentException e) {
            throw new InvalidDocumentException(repository.familiar() + ": " + e.getMessage(), e);
        }
    }

    /** See {@link RegistryClient#fetchBytes}. */
    byte[] fetchBytes(ImageName repository, Descriptor blob) throws IOException {
        if (blob.size() > RegistryClient.MAX_CONFIG_BYTES) {
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
        fetchBlob(repository, blob, memory);
        return holder[0].toByteArray();
    }

    /** See {@link RegistryClient#fetchBlob}. */
    void fetchBlob(ImageName repository, Descriptor blob, BlobSink sink) throws IOException {
        downloader.fetch(repository.registryHost(), repository.repository(), blob, sink);
    }

    /** See {@link RegistryClient#fetchBlobs}. */
    void fetchBlobs(ImageName repository, Collection<Descriptor> blobs, BlobSink sink) throws IOException {
        Map<Digest, Descriptor> unique = new LinkedHashMap<>();
        for (Descriptor d : blobs) {
            unique.putIfAbsent(d.digest(), d);
        }
        List<TransferPool.Task> tasks = new ArrayList<>();
        for (Descriptor d : unique.values()) {
            tasks.add(() -> fetchBlob(repository, d, sink));
        }
        pool.runAll(tasks, "jbuild-pull");
    }

    /** {@code /v2/NAME/manifests/REF}, by digest when the name has one, else by tag. */
    private static String manifestPath(ImageName name) {
        return "/v2/" + name.repository() + "/manifests/" + (name.digest() != null ? name.digest() : name.tag());
    }

    private static RegistryException notFound(Response r, ImageName name, String what) {
        List<RegistryException.Error> errors = r.errors();
        return new RegistryException(what + " failed: " + name.familiar() + " not found ("
                + RegistryException.describe(404, errors) + ")", 404, errors, null, null);
    }

    private static void checkDigest(Digest expected, byte[] bytes, ImageName name, String which) throws IOException {
        Digest actual = Digest.of(expected.algorithm(), bytes);
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(name.familiar() + ": manifest content has digest " + actual
                    + ", not the " + which + " " + expected, expected, actual);
        }
    }

    private record HeadResult(boolean found, Descriptor descriptor) {}
}
