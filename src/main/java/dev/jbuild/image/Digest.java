package dev.jbuild.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A content digest such as {@code sha256:4a5e...}. Only the algorithms registered by the OCI
 * image-spec are accepted ({@code sha256}, {@code sha512}), and only in their canonical form:
 * lower-case hex of the exact length. Registries and the store use the digest as a name, so two
 * spellings of one digest must not exist.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {

    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    public Digest {
        int expected = hexLength(algorithm);
        if (hex == null || hex.length() != expected || !isLowerHex(hex)) {
            throw new IllegalArgumentException(
                    "invalid " + algorithm + " digest: expected " + expected + " lower-case hex digits, got '" + hex + "'");
        }
    }

    /** Parses {@code algorithm:hex}; throws {@link IllegalArgumentException} naming the problem. */
    @JsonCreator
    public static Digest parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("digest is missing");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("invalid digest '" + text + "': expected algorithm:hex");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Whether {@code text} is a valid digest; for callers that need to tell a digest from a tag. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether {@code text} is a valid sha256 digest ({@code sha256:} and 64 lower-case hex digits). */
    public static boolean isSha256(String text) {
        return text != null && text.startsWith(SHA256 + ":") && isValid(text);
    }

    public static Digest sha256(String hex) {
        return new Digest(SHA256, hex);
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        return of(SHA256, bytes);
    }

    public static Digest of(String algorithm, byte[] bytes) {
        Digester digester = Digester.of(algorithm);
        digester.update(bytes, 0, bytes.length);
        return digester.digest();
    }

    /** The sha256 digest of everything left in {@code in}; does not close it. */
    public static Digest of(InputStream in) throws IOException {
        Digester digester = Digester.sha256();
        in.transferTo(digester.outputStream());
        return digester.digest();
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    // Written out rather than generated: a record's equals and hashCode are linked through
    // invokedynamic on first use, which costs a short command more than all its comparisons.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && algorithm.equals(d.algorithm) && hex.equals(d.hex);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + hex.hashCode();
    }

    /** Short form for logs and progress output: the first 12 hex digits, as Docker shows ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    static int hexLength(String algorithm) {
        if (SHA256.equals(algorithm)) {
            return 64;
        }
        if (SHA512.equals(algorithm)) {
            return 128;
        }
        throw new IllegalArgumentException("unsupported digest algorithm '" + algorithm + "' (expected sha256 or sha512)");
    }

    static MessageDigest newMessageDigest(String algorithm) {
        hexLength(algorithm);
        try {
            return MessageDigest.getInstance(SHA256.equals(algorithm) ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
