package dev.jbuild.signing;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
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

    private final RegistryClient registry;

    public ImageSigner(RegistryClient registry) {
        this.registry = Objects.requireNonNull(registry);
    }

    /** The result of signing one image. */
    public record Signed(ImageName image, Digest digest, ImageName signatures, boolean added) {}

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
        ImageName repository = repositoryOf(image);
        byte[] payload = SimpleSigning.payload(repository, digest, annotations);
        String signature = Base64.getEncoder().encodeToString(Ecdsa.sign(key.privateKey(), payload));
        Descriptor layer = SignatureImage.layer(payload, signature, annotations);
        ImageName signatures = withTag(repository, SignatureImage.tag(digest));
        List<Descriptor> layers = new ArrayList<>(existingSignatures(signatures).map(Manifest::layers).orElse(List.of()));
        if (key.publicKey() != null && layers.stream().anyMatch(l -> equivalent(l, layer, payload, key.publicKey()))) {
            return new Signed(image, digest, signatures, false);
        }
        if (layers.size() >= MAX_SIGNATURES) {
            throw new IOException(signatures.familiar() + " holds " + layers.size() + " signatures already, cosign's limit ("
                    + MAX_SIGNATURES + "); no more can be added");
        }
        layers.add(layer);
        byte[] config = SignatureImage.config(layers);
        Document<Manifest> manifest = SignatureImage.manifest(layers, config);
        Map<Digest, byte[]> blobs = new HashMap<>();
        blobs.put(layer.digest(), payload);
        blobs.put(manifest.value().config().digest(), config);
        // The earlier layers are in the repository already; only the new payload and the config go up.
        for (Descriptor blob : List.of(layer, manifest.value().config())) {
            registry.pushBlob(repository, blob, d -> new ByteArrayInputStream(blobs.get(d.digest())), null);
        }
        registry.pushManifest(repository, signatures.tag(), manifest);
        return new Signed(image, digest, signatures, true);
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
        ImageName signatures = withTag(repository, SignatureImage.tag(digest));
        Optional<Manifest> manifest = existingSignatures(signatures);
        String subject = repository.familiar() + "@" + digest;
        if (manifest.isEmpty() || manifest.get().layers().isEmpty()) {
            throw new SigningException("no signatures found for " + subject + " (no " + signatures.tag() + " tag in "
                    + repository.familiar() + ")");
        }
        if (manifest.get().layers().size() > MAX_SIGNATURES) {
            throw new SigningException(signatures.familiar() + " has " + manifest.get().layers().size() + " layers, more than "
                    + MAX_SIGNATURES + " signatures (cosign's limit): not read");
        }
        List<VerifiedSignature> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Descriptor> layers = manifest.get().layers();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            try {
                verified.add(verifyLayer(repository, layer, digest, key, image));
            } catch (SigningException e) {
                problems.add("signature " + (i + 1) + " (" + layer.digest().shortHex() + "): " + e.getMessage());
            }
        }
        if (verified.isEmpty()) {
            throw new SigningException("no valid signature for " + subject + ":\n  " + String.join("\n  ", problems));
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
