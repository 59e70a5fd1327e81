package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small images written straight into a {@link Store}, and the store as sink and source. */
final class TestImages {

    private TestImages() {}

    /** A store as the registry client's blob sink. */
    static BlobSink sink(Store store) {
        return new BlobSink() {
            @Override
            public boolean has(Descriptor blob) {
                return store.has(blob.digest());
            }

            @Override
            public Target create(Descriptor blob) throws IOException {
                BlobWriter w = store.blobWriter(blob);
                return Target.of(w, w::commit);
            }
        };
    }

    /** A store as the registry client's content source. */
    static BlobSource source(Store store) {
        return d -> store.open(d.digest());
    }

    /** Deterministic pseudo-random bytes. */
    static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * An OCI image for {@code platform} with layers of the given sizes (content from {@code seed}),
     * stored, with its manifest document returned.
     */
    static Document<Manifest> image(Store store, Platform platform, long seed, int... layerSizes) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        StringBuilder diffIds = new StringBuilder();
        for (int i = 0; i < layerSizes.length; i++) {
            byte[] content = bytes(seed * 1000 + i, layerSizes[i]);
            layers.add(store.putBytes(MediaTypes.OCI_LAYER_TAR_GZIP, content));
            diffIds.append(i == 0 ? "" : ",").append('"').append(Digest.of(content)).append('"');
        }
        String config = "{\"architecture\":\"" + platform.architecture() + "\",\"os\":\"" + platform.os() + "\""
                + (platform.variant() == null ? "" : ",\"variant\":\"" + platform.variant() + "\"")
                + ",\"config\":{\"Env\":[\"SEED=" + seed + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}";
        Descriptor configDescriptor = store.putBytes(MediaTypes.OCI_CONFIG, config.getBytes(StandardCharsets.UTF_8));
        Document<Manifest> manifest = ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers));
        store.putBytes(manifest.bytes());
        return manifest;
    }

    /** An OCI index of the given manifests with their platforms, stored. */
    static Document<Index> index(Store store, List<Document<Manifest>> manifests, List<Platform> platforms) throws IOException {
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            entries.add(manifests.get(i).descriptor().withPlatform(platforms.get(i)));
        }
        Document<Index> index = ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, entries));
        store.putBytes(index.bytes());
        return index;
    }
}
