package dev.jbuild.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.InvalidDocumentException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * cosign's own private-key files ({@code ENCRYPTED SIGSTORE PRIVATE KEY}, formerly {@code ENCRYPTED
 * COSIGN PRIVATE KEY}): the PEM body is go-securesystemslib's {@code encrypted} JSON,
 * {@code {"kdf":{"name":"scrypt","params":{"N":…,"r":…,"p":…},"salt":…},"cipher":{"name":"nacl/secretbox","nonce":…},"ciphertext":…}}
 * (byte fields in standard base64), whose plaintext is the PKCS#8 key. The password, as UTF-8
 * bytes, goes through scrypt to the 32-byte secretbox key.
 */
final class CosignKeyFile {

    /** The parameter sets securesystemslib writes (legacy, standard, OWASP); it refuses others, so do we. */
    private static final int[][] KNOWN_PARAMETERS = {{32768, 8, 1}, {65536, 8, 1}, {131072, 8, 1}};

    private CosignKeyFile() {}

    static byte[] decrypt(byte[] json, char[] password, String source) throws SigningException {
        byte[] passwordBytes = utf8(password);
        Arrays.fill(password, '\0');
        try {
            JsonNode root = ImageDocuments.parsePart(json, JsonNode.class);
            JsonNode kdf = root.path("kdf");
            JsonNode cipher = root.path("cipher");
            if (!kdf.path("name").asText().equals("scrypt")) {
                throw new SigningException("unknown key derivation " + kdf.path("name") + " in " + source + " (expected scrypt)");
            }
            if (!cipher.path("name").asText().equals("nacl/secretbox")) {
                throw new SigningException("unknown cipher " + cipher.path("name") + " in " + source + " (expected nacl/secretbox)");
            }
            int n = kdf.path("params").path("N").asInt();
            int r = kdf.path("params").path("r").asInt();
            int p = kdf.path("params").path("p").asInt();
            if (Arrays.stream(KNOWN_PARAMETERS).noneMatch(k -> k[0] == n && k[1] == r && k[2] == p)) {
                throw new SigningException("unsupported scrypt parameters N=" + n + " r=" + r + " p=" + p + " in " + source);
            }
            byte[] salt = base64(kdf, "salt", source);
            byte[] nonce = base64(cipher, "nonce", source);
            byte[] box = base64(root, "ciphertext", source);
            if (nonce.length != SecretBox.NONCE_SIZE) {
                throw new SigningException("the secretbox nonce in " + source + " is not 24 bytes");
            }
            byte[] plaintext = SecretBox.open(box, nonce, Scrypt.derive(passwordBytes, salt, n, r, p, SecretBox.KEY_SIZE));
            if (plaintext == null) {
                throw new SigningException("wrong password for the private key in " + source + " (decryption failed)");
            }
            return plaintext;
        } catch (InvalidDocumentException e) {
            throw new SigningException("cannot read the encrypted cosign key in " + source + ": " + e.getMessage());
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    private static byte[] base64(JsonNode parent, String field, String source) throws SigningException {
        JsonNode value = parent.path(field);
        try {
            if (value.isTextual()) {
                return Base64.getDecoder().decode(value.asText());
            }
        } catch (IllegalArgumentException e) {
            // Fall through.
        }
        throw new SigningException("the encrypted cosign key in " + source + " has no valid \"" + field + "\"");
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }
}
