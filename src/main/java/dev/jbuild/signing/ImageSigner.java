package dev.jbuild.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.InvalidDocumentException;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.Platform;
import dev.jbuild.image.PlatformMatcher;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs images in a registry and verifies their signatures, in the format {@code cosign sign --key}
 * writes and {@code cosign verify --key} checks: a simple-signing payload naming the image's
 * repository and manifest digest, signed with ECDSA P-256 / SHA-256, stored as a layer of the
 * {@code sha256-<hex>.sig} image in the image's repository (see {@link SignatureImage}). The digest
 * signed is the one the registry serves for the reference (an index's for a multi-platform image,
 * as cosign signs by default). Keyless signing (Fulcio certificates, Rekor entries) needs the
 * internet and is not done; signatures are not uploaded to a transparency log.
 */
public final class ImageSigner {

    /** cosign's bound on the layers (signatures) of one {@code .sig} image, for signing and verifying alike. */
    public static final int MAX_SIGNATURES = 1000;
    /** cosign's annotation of an attestation layer. */
    static final String PREDICATE_TYPE = "predicateType";

    private final RegistryClient registry;

    public ImageSigner(RegistryClient registry) {
        this.registry = Objects.requireNonNull(registry);
    }

    /** The result of signing one image. */
    public record Signed(ImageName image, Digest digest, ImageName signatures, boolean added) {

        /** {@code signed IMAGE (DIGEST) in SIGNATURES}, or that it was signed with this key already. */
        public String describe() {
            return (added ? "signed " : "already signed with this key: ") + image.familiar() + " (" + digest + ") in "
                    + signatures.familiar();
        }
    }

    /**
     * One signature that verified.
     *
     * @param dockerReference the repository the payload names
     * @param payload the signed payload, as stored
     */
    public record VerifiedSignature(ImageName image, Digest digest, String dockerReference, byte[] payload) {
        public VerifiedSignature {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    /**
     * A private key from a PEM file: {@code PRIVATE KEY}, {@code EC PRIVATE KEY}, {@code ENCRYPTED
     * PRIVATE KEY} (PBES2) or cosign's {@code ENCRYPTED SIGSTORE PRIVATE KEY}; ECDSA P-256 only.
     * {@code password} is asked only for an encrypted key.
     */
    public static SigningKey readPrivateKey(Path file, PasswordSource password) throws IOException, SigningException {
        return SigningKeys.privateKey(file, password);
    }

    /** A {@code PUBLIC KEY} (PKIX) PEM file, as {@code cosign generate-key-pair} writes {@code cosign.pub}; ECDSA P-256 only. */
    public static ECPublicKey readPublicKey(Path file) throws IOException, SigningException {
        return SigningKeys.publicKey(file);
    }

    /** Signs what {@code image} (a tag or digest reference) names in its registry now. */
    public Signed sign(ImageName image, SigningKey key, Map<String, String> annotations) throws IOException {
        return sign(image, currentDigest(image), key, annotations);
    }

    /**
     * Signs {@code digest} in {@code image}'s repository (a build signs the digest it pushed, without
     * asking again). The signature is appended to the {@code .sig} image unless an equivalent one (same
     * payload and annotations, verifying with the same key) is there already.
     */
    public Signed sign(ImageName image, Digest digest, SigningKey key, Map<String, String> annotations) throws IOException {
        byte[] payload = SimpleSigning.payload(repositoryOf(image), digest, annotations);
        String signature = Base64.getEncoder().encodeToString(Ecdsa.sign(key.privateKey(), payload));
        Descriptor layer = SignatureImage.layer(SignatureImage.LAYER_MEDIA_TYPE, payload, signature, annotations);
        return append(image, digest, SignatureImage.tag(digest), "signatures", layer, payload,
                existing -> key.publicKey() != null && equivalent(existing, layer, payload, key.publicKey()));
    }

    /**
     * Signs an in-toto statement about {@code digest} in {@code image}'s repository as {@code cosign attest
     * --key} does: a DSSE envelope (payload type {@code application/vnd.in-toto+json}) as a layer of the
     * {@code sha256-<hex>.att} image, annotated with the statement's predicate type. An attestation whose
     * layer verifies with the key and carries the same statement is not added twice.
     */
    public Signed attest(ImageName image, Digest digest, byte[] statement, String predicateType, SigningKey key)
            throws IOException {
        byte[] envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement, key, "");
        Descriptor layer = SignatureImage.layer(SignatureImage.DSSE_MEDIA_TYPE, envelope, "", Map.of(PREDICATE_TYPE, predicateType));
        ImageName repository = repositoryOf(image);
        return append(image, digest, SignatureImage.attestationTag(digest), "attestations", layer, envelope, existing -> {
            if (key.publicKey() == null || !SignatureImage.DSSE_MEDIA_TYPE.equals(existing.mediaType())
                    || !predicateType.equals(existing.annotation(PREDICATE_TYPE))) {
                return false;
            }
            try {
                return Arrays.equals(Dsse.verify(registry.fetchBytes(repository, existing), key.publicKey()).body(), statement);
            } catch (SigningException | DigestMismatchException e) {
                return false;
            }
        });
    }

    /** A layer an image of signatures or attestations may already hold in an equivalent form. */
    @FunctionalInterface
    private interface Duplicate {
        boolean of(Descriptor existing) throws IOException;
    }

    /**
     * Appends {@code layer} (whose blob is {@code blob}) to the image tagged {@code tag} in {@code image}'s
     * repository, unless an equivalent layer is there.
     */
    private Signed append(ImageName image, Digest digest, String tag, String what, Descriptor layer, byte[] blob,
            Duplicate duplicate)
            throws IOException {
        ImageName repository = repositoryOf(image);
        ImageName signatures = withTag(repository, tag);
        List<Descriptor> layers = new ArrayList<>(existingSignatures(signatures).map(Manifest::layers).orElse(List.of()));
        for (Descriptor existing : layers) {
            if (duplicate.of(existing)) {
                return new Signed(image, digest, signatures, false);
            }
        }
        if (layers.size() >= MAX_SIGNATURES) {
            throw new IOException(signatures.familiar() + " holds " + layers.size() + " " + what + " already, cosign's limit ("
                    + MAX_SIGNATURES + "); no more can be added");
        }
        layers.add(layer);
        byte[] config = SignatureImage.config(layers);
        Document<Manifest> manifest = SignatureImage.manifest(layers, config);
        Map<Digest, byte[]> blobs = new HashMap<>();
        blobs.put(layer.digest(), blob);
        blobs.put(manifest.value().config().digest(), config);
        // The earlier layers are in the repository already; only the new blob and the config go up.
        for (Descriptor part : List.of(layer, manifest.value().config())) {
            registry.pushBlob(repository, part, d -> new ByteArrayInputStream(blobs.get(d.digest())), null);
        }
        registry.pushManifest(repository, signatures.tag(), manifest);
        return new Signed(image, digest, signatures, true);
    }

    /**
     * One attestation that verified: the in-toto statement (the DSSE payload) and its predicate type.
     */
    public record VerifiedAttestation(ImageName image, Digest digest, String predicateType, byte[] statement) {
        public VerifiedAttestation {
            statement = statement.clone();
        }

        @Override
        public byte[] statement() {
            return statement.clone();
        }
    }

    /**
     * The attestations of the image {@code image} names now, for {@code platform} when it names an index
     * (the attestations are about a platform's image manifest, as BuildKit's statements are).
     */
    public List<VerifiedAttestation> verifyAttestations(ImageName image, Platform platform, ECPublicKey key)
            throws IOException, SigningException {
        Document<ManifestOrIndex> document = registry.fetchManifest(image);
        Digest digest = document.digest();
        if (document.value() instanceof Index index) {
            digest = PlatformMatcher.of(platform).best(index)
                    .orElseThrow(() -> new SigningException(image.familiar() + " has no image for " + platform))
                    .digest();
        }
        return verifyAttestations(image, digest, key);
    }

    /**
     * The attestations of {@code digest} (an image manifest in {@code image}'s repository) that verify with
     * {@code key}, as {@code cosign verify-attestation --key} checks them: each {@code .att} layer a DSSE
     * envelope of an in-toto statement whose signature verifies, and whose subjects include the digest.
     *
     * @throws SigningException when none does, saying why each failed (or that there are none)
     */
    public List<VerifiedAttestation> verifyAttestations(ImageName image, Digest digest, ECPublicKey key)
            throws IOException, SigningException {
        ImageName repository = repositoryOf(image);
        return verifyEach(repository, SignatureImage.attestationTag(digest), digest, "attestation",
                layer -> verifyAttestation(repository, layer, digest, key, image));
    }

    private VerifiedAttestation verifyAttestation(ImageName repository, Descriptor layer, Digest digest, ECPublicKey key,
            ImageName image) throws IOException, SigningException {
        if (!SignatureImage.DSSE_MEDIA_TYPE.equals(layer.mediaType())) {
            throw new SigningException("not a DSSE envelope layer (" + layer.mediaType() + ")");
        }
        byte[] envelope;
        try {
            envelope = registry.fetchBytes(repository, layer);
        } catch (DigestMismatchException e) {
            throw new SigningException("the envelope does not match its digest: " + e.getMessage());
        }
        Dsse.Payload payload = Dsse.verify(envelope, key);
        if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(payload.payloadType())) {
            throw new SigningException("the payload is " + payload.payloadType() + ", not an in-toto statement");
        }
        JsonNode statement;
        try {
            statement = ImageDocuments.parsePart(payload.body(), JsonNode.class);
        } catch (InvalidDocumentException e) {
            throw new SigningException("the statement is not JSON: " + e.getMessage());
        }
        boolean names = false;
        for (JsonNode s : statement.path("subject")) {
            names |= digest.hex().equals(s.path("digest").path(digest.algorithm()).asText());
        }
        if (!names) {
            throw new SigningException("the statement is not about " + digest);
        }
        return new VerifiedAttestation(image, digest, statement.path("predicateType").asText(""), payload.body());
    }

    /**
     * The signatures of what {@code image} names now that verify with {@code key}: each layer's
     * payload must match its digest, its signature must be the key's over the payload, and the payload
     * must name this digest and this repository.
     *
     * @throws SigningException when none does, saying why each failed (or that there are none)
     */
    public List<VerifiedSignature> verify(ImageName image, ECPublicKey key) throws IOException, SigningException {
        Digest digest = currentDigest(image);
        ImageName repository = repositoryOf(image);
        return verifyEach(repository, SignatureImage.tag(digest), digest, "signature",
                layer -> verifyLayer(repository, layer, digest, key, image));
    }

    /** Checks one layer of a signature or attestation image; throws saying why it does not verify. */
    @FunctionalInterface
    private interface LayerCheck<T> {
        T check(Descriptor layer) throws IOException, SigningException;
    }

    /**
     * The layers of the image tagged {@code tag} that {@code check} accepts (cosign reads at most
     * {@link #MAX_SIGNATURES}); {@code what} is "signature" or "attestation", for the messages.
     *
     * @throws SigningException when none verifies, with each layer's reason, or when there are none
     */
    private <T> List<T> verifyEach(ImageName repository, String tag, Digest digest, String what, LayerCheck<T> check)
            throws IOException, SigningException {
        ImageName tagged = withTag(repository, tag);
        Optional<Manifest> manifest = existingSignatures(tagged);
        String subject = repository.familiar() + "@" + digest;
        if (manifest.isEmpty() || manifest.get().layers().isEmpty()) {
            throw new SigningException("no " + what + "s found for " + subject + " (no " + tag + " tag in "
                    + repository.familiar() + ")");
        }
        List<Descriptor> layers = manifest.get().layers();
        if (layers.size() > MAX_SIGNATURES) {
            throw new SigningException(tagged.familiar() + " has " + layers.size() + " layers, more than "
                    + MAX_SIGNATURES + " " + what + "s (cosign's limit): not read");
        }
        List<T> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            try {
                verified.add(check.check(layer));
            } catch (SigningException e) {
                problems.add(what + " " + (i + 1) + " (" + layer.digest().shortHex() + "): " + e.getMessage());
            }
        }
        if (verified.isEmpty()) {
            throw new SigningException("no valid " + what + " for " + subject + ":\n  " + String.join("\n  ", problems));
        }
        return verified;
    }

    private VerifiedSignature verifyLayer(ImageName repository, Descriptor layer, Digest digest, ECPublicKey key, ImageName image)
            throws IOException, SigningException {
        if (!SignatureImage.LAYER_MEDIA_TYPE.equals(layer.mediaType())) {
            throw new SigningException("not a simple-signing layer (" + layer.mediaType() + ")");
        }
        byte[] signature = signatureOf(layer);
        if (signature == null) {
            throw new SigningException("no " + SignatureImage.SIGNATURE_ANNOTATION + " annotation with a base64 signature");
        }
        byte[] payload;
        try {
            payload = registry.fetchBytes(repository, layer);
        } catch (DigestMismatchException e) {
            throw new SigningException("the payload does not match its digest: " + e.getMessage());
        }
        if (!Ecdsa.verify(key, payload, signature)) {
            throw new SigningException("the signature does not verify with the key");
        }
        SimpleSigning.Claim claim = SimpleSigning.parse(payload);
        if (!claim.digest().equals(digest.toString())) {
            throw new SigningException("the payload is for " + claim.digest() + ", not " + digest);
        }
        if (!sameRepository(claim.dockerReference(), repository)) {
            throw new SigningException("the payload names " + claim.dockerReference() + ", not " + SimpleSigning.dockerReference(repository));
        }
        return new VerifiedSignature(image, digest, claim.dockerReference(), payload);
    }

    /** cosign's duplicate check: same payload blob and annotations, and the stored signature is this key's. */
    private static boolean equivalent(Descriptor existing, Descriptor added, byte[] payload, ECPublicKey key) {
        if (!existing.digest().equals(added.digest()) || !added.mediaType().equals(existing.mediaType())) {
            return false;
        }
        for (Map.Entry<String, String> a : added.annotations().entrySet()) {
            if (!a.getKey().equals(SignatureImage.SIGNATURE_ANNOTATION) && !a.getValue().equals(existing.annotation(a.getKey()))) {
                return false;
            }
        }
        byte[] signature = signatureOf(existing);
        return signature != null && Ecdsa.verify(key, payload, signature);
    }

    private static byte[] signatureOf(Descriptor layer) {
        String base64 = layer.annotation(SignatureImage.SIGNATURE_ANNOTATION);
        try {
            return base64 == null || base64.isEmpty() ? null : Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A payload's docker-reference names a repository; a tag or digest in it (a claimed identity) is ignored. */
    private static boolean sameRepository(String dockerReference, ImageName repository) {
        try {
            ImageName named = ImageName.parse(dockerReference);
            return named.registry().equals(repository.registry()) && named.repository().equals(repository.repository());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Digest currentDigest(ImageName image) throws IOException {
        return registry.fetchManifest(image).digest();
    }

    /** The {@code .sig} manifest, or empty when the tag does not exist. */
    private Optional<Manifest> existingSignatures(ImageName signatures) throws IOException {
        Document<ManifestOrIndex> document;
        try {
            document = registry.fetchManifest(signatures);
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (document.value() instanceof Manifest m) {
            return Optional.of(m);
        }
        throw new IOException(signatures.familiar() + " is an index, not cosign's signature image");
    }

    private static ImageName repositoryOf(ImageName image) {
        return new ImageName(image.registry(), image.repository(), null, null);
    }

    private static ImageName withTag(ImageName repository, String tag) {
        return new ImageName(repository.registry(), repository.repository(), tag, null);
    }
}
