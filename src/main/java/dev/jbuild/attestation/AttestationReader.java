package dev.jbuild.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the attestations of one platform's image in an index stored in BuildKit's layout, from the
 * store or a registry alike ({@link Source}): the platform's manifest, the attestation manifest whose
 * {@code vnd.docker.reference.digest} names it, and the in-toto statements among its layers whose
 * predicate type is asked for. Each statement's subject must name the image manifest; one that does
 * not is refused, not shown.
 */
public final class AttestationReader {

    /** Where the documents and blobs are read from. */
    public interface Source {
        /** A manifest or index by digest, its bytes verified against the digest. */
        byte[] manifest(Digest digest) throws IOException;

        /** A blob (a statement) by descriptor, its bytes verified against the digest. */
        byte[] blob(Descriptor descriptor) throws IOException;

        /** A content store, which reads manifests and blobs alike by digest (verifying it). */
        static Source byDigest(ContentByDigest read) {
            return new Source() {
                @Override
                public byte[] manifest(Digest digest) throws IOException {
                    return read.bytes(digest);
                }

                @Override
                public byte[] blob(Descriptor descriptor) throws IOException {
                    return read.bytes(descriptor.digest());
                }
            };
        }
    }

    /** Reads content by its digest, e.g. {@code store::readBytes}. */
    @FunctionalInterface
    public interface ContentByDigest {
        byte[] bytes(Digest digest) throws IOException;
    }

    /** The statements found, and the image manifest they are about. */
    public record Found(Descriptor image, List<JsonNode> statements) {}

    private AttestationReader() {}

    /** One statement as stored: the image it is about, its predicate type, its bytes. */
    public record StoredStatement(Digest image, String predicateType, byte[] bytes) {
        public StoredStatement {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** Every in-toto statement of every attestation manifest of {@code index}, in index and layer order. */
    public static List<StoredStatement> all(Source source, Index index) throws IOException {
        List<StoredStatement> all = new ArrayList<>();
        for (Descriptor entry : index.manifests()) {
            if (!AttestationLayout.isAttestation(entry)) {
                continue;
            }
            Digest image = Digest.parse(entry.annotation(AttestationLayout.REFERENCE_DIGEST));
            Manifest attestation = ImageDocuments.parseManifest(source.manifest(entry.digest())).value();
            for (Descriptor layer : attestation.layers()) {
                String type = layer.annotation(AttestationLayout.PREDICATE_TYPE);
                if (AttestationLayout.IN_TOTO.equals(layer.mediaType()) && type != null) {
                    all.add(new StoredStatement(image, type, source.blob(layer)));
                }
            }
        }
        return all;
    }

    /**
     * @param predicateTypePrefix e.g. {@code https://slsa.dev/provenance/} or {@code https://spdx.dev/Document}
     * @throws IOException naming what is missing: an image without an index, without attestations, or
     *     without one of that type
     */
    public static Found find(Source source, Document<ManifestOrIndex> root, Platform platform, List<String> predicateTypePrefixes,
            String what) throws IOException {
        if (!(root.value() instanceof Index index)) {
            throw new IOException("the image has no attestations (it is a single manifest, not an index)");
        }
        Descriptor image = PlatformMatcher.of(platform).best(index)
                .orElseThrow(() -> new IOException("the image has no manifest for " + platform));
        Descriptor entry = AttestationLayout.attestationFor(index, image.digest())
                .orElseThrow(() -> new IOException("the image has no attestations for " + platform));
        Manifest attestation = ImageDocuments.parseManifest(source.manifest(entry.digest())).value();
        List<JsonNode> statements = new ArrayList<>();
        for (Descriptor layer : attestation.layers()) {
            String type = layer.annotations() == null ? null : layer.annotations().get(AttestationLayout.PREDICATE_TYPE);
            if (!AttestationLayout.IN_TOTO.equals(layer.mediaType()) || type == null
                    || predicateTypePrefixes.stream().noneMatch(type::startsWith)) {
                continue;
            }
            JsonNode statement = AttestationLayout.parseStatement(source.blob(layer));
            if (!type.equals(statement.path("predicateType").asText())) {
                throw new IOException("attestation " + layer.digest() + ": its predicate type is not the one its descriptor names");
            }
            boolean aboutImage = false;
            for (JsonNode subject : statement.path("subject")) {
                aboutImage |= image.digest().hex().equals(subject.path("digest").path(image.digest().algorithm()).asText());
            }
            if (!aboutImage) {
                throw new IOException("attestation " + layer.digest() + " is not about the image " + image.digest());
            }
            statements.add(statement);
        }
        if (statements.isEmpty()) {
            throw new IOException("the image has no " + what + " attestation for " + platform);
        }
        return new Found(image, statements);
    }
}
