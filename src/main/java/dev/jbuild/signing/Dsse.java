package dev.jbuild.signing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.InvalidDocumentException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;

/**
 * DSSE envelopes (secure-systems-lab/dsse, v1.0), the form in-toto attestations such as provenance
 * are signed in: {@code {"payloadType":…,"payload":base64,"signatures":[{"keyid":…,"sig":base64}]}},
 * each signature ECDSA P-256 with SHA-256 (DER) over the pre-authentication encoding
 * {@link #pae}, never over the payload alone, so a payload cannot be passed off as another type.
 */
public final class Dsse {

    /** The payload type of in-toto statements. */
    public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

    private Dsse() {}

    /** A verified envelope's content. */
    public record Payload(String payloadType, byte[] body) {
        public Payload {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    @JsonPropertyOrder({"payloadType", "payload", "signatures"})
    record Envelope(@JsonProperty("payloadType") String payloadType, @JsonProperty("payload") String payload,
            @JsonProperty("signatures") List<Sig> signatures) {}

    // securesystemslib writes "keyid" even when empty, as cosign's envelopes show.
    @JsonPropertyOrder({"keyid", "sig"})
    record Sig(@JsonProperty("keyid") String keyId, @JsonProperty("sig") String sig) {}

    /** {@code DSSEv1 <len(type)> <type> <len(body)> <body>}, lengths in bytes as ASCII decimal. */
    public static byte[] pae(String payloadType, byte[] body) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The envelope JSON of {@code body} signed with {@code key}; {@code keyId} may be empty. */
    public static byte[] sign(String payloadType, byte[] body, SigningKey key, String keyId) {
        byte[] signature = Ecdsa.sign(key.privateKey(), pae(payloadType, body));
        Base64.Encoder base64 = Base64.getEncoder();
        return ImageDocuments.canonicalBytes(new Envelope(payloadType, base64.encodeToString(body),
                List.of(new Sig(keyId == null ? "" : keyId, base64.encodeToString(signature)))));
    }

    /**
     * The payload of {@code envelope} when one of its signatures verifies with {@code key}.
     *
     * @throws SigningException when the envelope is malformed or no signature verifies
     */
    public static Payload verify(byte[] envelope, ECPublicKey key) throws SigningException {
        JsonNode root;
        try {
            root = ImageDocuments.parsePart(envelope, JsonNode.class);
        } catch (InvalidDocumentException e) {
            throw new SigningException("the DSSE envelope is not JSON: " + e.getMessage());
        }
        String type = root.path("payloadType").asText(null);
        byte[] body = decode(root.path("payload"));
        if (type == null || body == null) {
            throw new SigningException("the DSSE envelope has no payloadType or payload");
        }
        byte[] pae = pae(type, body);
        for (JsonNode signature : root.path("signatures")) {
            byte[] sig = decode(signature.path("sig"));
            if (sig != null && Ecdsa.verify(key, pae, sig)) {
                return new Payload(type, body);
            }
        }
        throw new SigningException("no signature of the DSSE envelope verifies with the key");
    }

    /** Standard or URL-safe base64 (the spec allows either); null when absent or malformed. */
    private static byte[] decode(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        String text = value.asText();
        try {
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
