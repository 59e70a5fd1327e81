package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OCI 1.1 referrers (distribution-spec "Listing Referrers" and "Referrers Tag Schema"): a registry with
 * the referrers API lists a manifest under its {@code subject} by itself once it is pushed; for one
 * without it, the client keeps an index of the referrers under the tag {@code <alg>-<hex>} of the
 * subject's digest, which is where OCI tools (oras, notation, cosign's OCI 1.1 mode) look next.
 */
final class Referrers {

    /** What a registry does with a pushed manifest's subject. */
    enum Outcome {
        /** The registry's referrers API lists it. */
        API,
        /** The fallback tag's index lists it now (written, or already listing it). */
        TAG
    }

    private final RegistryHttp http;
    private final ImagePuller puller;
    private final ImagePusher pusher;

    Referrers(RegistryHttp http, ImagePuller puller, ImagePusher pusher) {
        this.http = http;
        this.puller = puller;
        this.pusher = pusher;
    }

    /** The referrers index the API serves for {@code subject}, or empty when the registry has no referrers API (404). */
    Optional<Index> list(ImageName repository, Digest subject) throws IOException {
        String what = "listing the referrers of " + subject + " in " + repository.registry() + "/" + repository.repository();
        String path = "/v2/" + repository.repository() + "/referrers/" + subject;
        return http.retry().run(what, progress -> {
            try (Response r = http.send(repository.registryHost(), "GET", path, Map.of("Accept", MediaTypes.OCI_INDEX),
                    null, Scope.pull(repository.repository()), what)) {
                if (r.status() == 404) {
                    return Optional.empty();
                }
                if (!r.isSuccess()) {
                    throw r.failure(what);
                }
                byte[] bytes = r.body().readAtMost(RegistryClient.MAX_MANIFEST_BYTES);
                try {
                    return Optional.of(ImageDocuments.parseManifestOrIndex(bytes, MediaTypes.OCI_INDEX).value())
                            .filter(Index.class::isInstance).map(Index.class::cast);
                } catch (InvalidDocumentException e) {
                    // Some registries answer an unknown route with a page of their own: not the API.
                    return Optional.empty();
                }
            }
        });
    }

    /**
     * Makes {@code referrer} (a manifest with {@code subject}, already pushed to {@code repository}) findable
     * as a referrer of {@code subject}: nothing to do where the referrers API lists it, else the fallback
     * tag's index gains its descriptor (media type, digest, size, artifact type, annotations).
     */
    Outcome add(ImageName repository, Digest subject, Descriptor referrer) throws IOException {
        Optional<Index> listed = list(repository, subject);
        if (listed.isPresent()) {
            return Outcome.API;
        }
        ImageName tag = new ImageName(repository.registry(), repository.repository(), tagOf(subject), null);
        List<Descriptor> manifests = new ArrayList<>();
        try {
            Document<ManifestOrIndex> existing = puller.fetchManifest(tag);
            if (!(existing.value() instanceof Index index)) {
                throw new IOException(tag.familiar() + " is not an index: it cannot be the referrers tag of " + subject);
            }
            manifests.addAll(index.manifests());
        } catch (RegistryException e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        if (manifests.stream().anyMatch(d -> d.digest().equals(referrer.digest()))) {
            return Outcome.TAG;
        }
        manifests.add(referrer);
        pusher.pushManifest(repository, tag.tag(), ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, manifests)));
        return Outcome.TAG;
    }

    /** The tag schema's name for a digest: {@code sha256:abc…} → {@code sha256-abc…}. */
    static String tagOf(Digest subject) {
        return subject.algorithm() + "-" + subject.hex();
    }
}
