package dev.jbuild.signing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.InvalidDocumentException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The payload cosign signs for an image: the "simple signing" JSON of sigstore's
 * {@code pkg/signature/payload}, with the bytes Go's {@code json.Marshal} gives it (fields in
 * struct order, no whitespace, map keys sorted, HTML characters escaped, {@code "optional":null}
 * without annotations). The bytes matter only to us: a verifier checks the signature over the
 * bytes stored, whatever they are; but the same bytes as cosign's make the two tools' signatures
 * of one image directly comparable.
 */
final class SimpleSigning {

    static final String TYPE = "cosign container image signature";

    private SimpleSigning() {}

    @JsonPropertyOrder({"critical", "optional"})
    record Payload(@JsonProperty("critical") Critical critical, @JsonProperty("optional") Map<String, String> optional) {}

    @JsonPropertyOrder({"identity", "image", "type"})
    record Critical(@JsonProperty("identity") Identity identity, @JsonProperty("image") Image image, @JsonProperty("type") String type) {}

    record Identity(@JsonProperty("docker-reference") String dockerReference) {}

    record Image(@JsonProperty("docker-manifest-digest") String dockerManifestDigest) {}

    /** What a verified payload claims. */
    record Claim(String dockerReference, String digest, JsonNode optional) {}

    /** The payload for {@code digest} in {@code repository}'s repository, with {@code annotations} as "optional" (null when none). */
    static byte[] payload(ImageName repository, Digest digest, Map<String, String> annotations) {
        Payload payload = new Payload(new Critical(new Identity(dockerReference(repository)), new Image(digest.toString()), TYPE),
                annotations.isEmpty() ? null : new TreeMap<>(annotations));
        return ImageDocuments.canonicalBytes(payload);
    }

    /**
     * The repository as go-containerregistry's {@code Repository.Name()} writes it, which is what
     * cosign puts in the payload by default: {@code registry/repository}, Docker Hub as {@code index.docker.io}.
     */
    static String dockerReference(ImageName image) {
        String registry = image.registry().equals(ImageName.DOCKER_HUB) ? "index.docker.io" : image.registry();
        return registry + "/" + image.repository();
    }

    static Claim parse(byte[] payload) throws SigningException {
        JsonNode root;
        try {
            root = ImageDocuments.parsePart(payload, JsonNode.class);
        } catch (InvalidDocumentException e) {
            throw new SigningException("the payload is not JSON: " + e.getMessage());
        }
        JsonNode critical = root.path("critical");
        String type = critical.path("type").asText("");
        if (!type.equals(TYPE)) {
            throw new SigningException("the payload is of type \"" + type + "\", not \"" + TYPE + "\"");
        }
        return new Claim(critical.path("identity").path("docker-reference").asText(""),
                critical.path("image").path("docker-manifest-digest").asText(""), root.get("optional"));
    }
}
