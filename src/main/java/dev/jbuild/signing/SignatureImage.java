package dev.jbuild.signing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The image cosign keeps an image's signatures in (and, the same way, its attestations under
 * {@code sha256-<hex>.att}, each layer a DSSE envelope): tag {@code sha256-<hex>.sig} in the image's own
 * repository, an OCI manifest with one layer per signature (the payload blob, its signature in the
 * layer's {@code dev.cosignproject.cosign/signature} annotation). Its config is what
 * go-containerregistry's {@code mutate.Append} makes of the empty image cosign starts from: zero
 * times, empty platform, each layer's digest as its diff_id (payloads are not compressed) and one
 * empty history entry per layer. The config is made again from the layers on every append, which
 * is what cosign's own append gives unless it was asked to record creation times.
 */
final class SignatureImage {

    static final String LAYER_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** An attestation layer: the DSSE envelope itself (its signature inside, the annotation empty). */
    static final String DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

    /** Go's zero {@code time.Time}, which ggcr writes for the unset times. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private SignatureImage() {}

    /** {@code sha256-<hex>.sig}, cosign's tag for the signatures of {@code image}. */
    static String tag(Digest image) {
        return image.algorithm() + "-" + image.hex() + ".sig";
    }

    /** {@code sha256-<hex>.att}, cosign's tag for the attestations of {@code image}. */
    static String attestationTag(Digest image) {
        return image.algorithm() + "-" + image.hex() + ".att";
    }

    @JsonPropertyOrder({"architecture", "created", "history", "os", "rootfs", "config"})
    record Config(@JsonProperty("architecture") String architecture, @JsonProperty("created") String created,
            @JsonProperty("history") List<History> history, @JsonProperty("os") String os,
            @JsonProperty("rootfs") RootFs rootfs, @JsonProperty("config") Map<String, Object> config) {}

    record History(@JsonProperty("created") String created) {}

    @JsonPropertyOrder({"type", "diff_ids"})
    record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<String> diffIds) {}

    /** The config blob for an image of these layers. */
    static byte[] config(List<Descriptor> layers) {
        List<String> diffIds = layers.stream().map(l -> l.digest().toString()).toList();
        List<History> history = Collections.nCopies(layers.size(), new History(ZERO_TIME));
        return ImageDocuments.canonicalBytes(new Config("", ZERO_TIME, history, "", new RootFs("layers", diffIds), Map.of()));
    }

    /** The manifest of {@code layers} with {@code config} (the bytes {@link #config} made of them). */
    static Document<Manifest> manifest(List<Descriptor> layers, byte[] config) {
        return ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, Descriptor.of(MediaTypes.OCI_CONFIG, config), layers));
    }

    /**
     * The layer of one signature: the payload blob, with the base64 signature as its annotation (empty for an
     * attestation, whose envelope holds it).
     */
    static Descriptor layer(String mediaType, byte[] payload, String base64Signature, Map<String, String> extraAnnotations) {
        Descriptor blob = Descriptor.of(mediaType, payload);
        Map<String, String> annotations = new TreeMap<>(extraAnnotations);
        annotations.put(SIGNATURE_ANNOTATION, base64Signature);
        return new Descriptor(mediaType, blob.digest(), blob.size(), null, annotations, null, null, null, null);
    }
}
