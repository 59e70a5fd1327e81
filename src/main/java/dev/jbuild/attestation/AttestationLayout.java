package dev.jbuild.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Index;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.Platform;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How attestations are stored, as BuildKit stores them (its docs/attestations/attestation-storage.md):
 * one attestation manifest per platform image in the image index, after the runnable manifests, with
 * platform {@code unknown/unknown} and the annotations {@code vnd.docker.reference.type=attestation-manifest}
 * and {@code vnd.docker.reference.digest=<image manifest digest>}; each layer one in-toto statement whose
 * subject is the image manifest. The attestation manifest is also an OCI 1.1 artifact (artifact type,
 * empty config, {@code subject} = the image manifest), so registries' referrers API and tools that follow
 * the OCI way find it too.
 */
public final class AttestationLayout {

    public static final String REFERENCE_TYPE = "vnd.docker.reference.type";
    public static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";
    public static final String ATTESTATION_MANIFEST = "attestation-manifest";
    public static final String PREDICATE_TYPE = "in-toto.io/predicate-type";
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    public static final String ARTIFACT_TYPE = "application/vnd.docker.attestation.manifest.v1+json";
    public static final String STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";
    public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";
    /** The platform of attestation manifests in an index: runtimes never pick it. */
    public static final Platform UNKNOWN = new Platform("unknown", "unknown");
    /** The OCI empty JSON blob, the config of an artifact manifest. */
    public static final byte[] EMPTY_JSON = {'{', '}'};
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AttestationLayout() {}

    /** A statement's subject: an image name in BuildKit's purl form (or {@code _}) and the manifest digest. */
    public record Subject(String name, Digest digest) {}

    /** The in-toto statement around {@code predicate}, fields in BuildKit's order. */
    public static byte[] statement(String statementType, String predicateType, List<Subject> subjects, JsonNode predicate) {
        ObjectNode statement = JsonNodeFactory.instance.objectNode();
        statement.put("_type", statementType);
        statement.put("predicateType", predicateType);
        ArrayNode subjectList = statement.putArray("subject");
        for (Subject subject : subjects) {
            ObjectNode node = subjectList.addObject();
            node.put("name", subject.name());
            node.putObject("digest").put(subject.digest().algorithm(), subject.digest().hex());
        }
        statement.set("predicate", predicate);
        try {
            return MAPPER.writeValueAsBytes(statement);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a statement blob (for inspect and tests). */
    public static JsonNode parseStatement(byte[] blob) {
        try {
            return MAPPER.readTree(blob);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not an in-toto statement: " + e.getMessage(), e);
        }
    }

    /** The descriptor of a statement blob as a layer of the attestation manifest. */
    public static Descriptor layer(Digest digest, long size, String predicateType) {
        return new Descriptor(IN_TOTO, digest, size).withAnnotations(Map.of(PREDICATE_TYPE, predicateType));
    }

    /** The attestation manifest's entry in the index: platform unknown/unknown, annotations naming the image. */
    public static Descriptor indexEntry(Descriptor attestationManifest, Digest image) {
        return attestationManifest.withPlatform(UNKNOWN)
                .withAnnotations(new TreeMap<>(Map.of(REFERENCE_TYPE, ATTESTATION_MANIFEST, REFERENCE_DIGEST, image.toString())));
    }

    /** Whether an index entry is an attestation manifest (BuildKit's annotation), not a runnable image. */
    public static boolean isAttestation(Descriptor entry) {
        return entry.annotations() != null && ATTESTATION_MANIFEST.equals(entry.annotations().get(REFERENCE_TYPE));
    }

    /** The attestation manifest in {@code index} for the image manifest {@code image}, if it has one. */
    public static Optional<Descriptor> attestationFor(Index index, Digest image) {
        return index.manifests().stream()
                .filter(AttestationLayout::isAttestation)
                .filter(entry -> image.toString().equals(entry.annotations().get(REFERENCE_DIGEST)))
                .findFirst();
    }

    /** Whether a document is an index whose entries include attestation manifests. */
    public static boolean hasAttestations(ManifestOrIndex document) {
        return document instanceof Index index && index.manifests().stream().anyMatch(AttestationLayout::isAttestation);
    }
}
