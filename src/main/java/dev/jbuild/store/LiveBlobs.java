package dev.jbuild.store;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** What keeps a blob alive: a tag that reaches it, or a cache record that names it. */
final class LiveBlobs {

    private LiveBlobs() {}

    /** Every blob a tag reaches: manifests and indexes, their configs and layers, recursively. */
    static Set<Digest> tagged(Store store) throws IOException {
        Set<Digest> live = new HashSet<>();
        for (Descriptor descriptor : store.tagIndex().index().manifests()) {
            reach(store, descriptor, live);
        }
        return live;
    }

    private static void reach(Store store, Descriptor descriptor, Set<Digest> live) throws IOException {
        if (!live.add(descriptor.digest()) || !store.has(descriptor.digest())) {
            return;
        }
        Document<ManifestOrIndex> document;
        try {
            document = ImageDocuments.parseManifestOrIndex(store.readBytes(descriptor.digest()));
        } catch (IOException | RuntimeException e) {
            return; // not a manifest (a tagged blob of another kind): itself is live
        }
        if (document.value() instanceof Index index) {
            for (Descriptor child : index.manifests()) {
                reach(store, child, live);
            }
        } else if (document.value() instanceof Manifest manifest) {
            live.add(manifest.config().digest());
            manifest.layers().forEach(layer -> live.add(layer.digest()));
        }
    }

    /** The blobs the record of {@code key} names; empty when it is gone or cannot be read. */
    static Optional<RecordReferences> ofRecord(Store store, String key) {
        try {
            return store.cacheRecords().read(key).flatMap(RecordReferences::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
