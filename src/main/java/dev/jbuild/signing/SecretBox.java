package dev.jbuild.signing;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 + Poly1305) as Go's {@code nacl/secretbox} lays it
 * out: the 16-byte tag, then the ciphertext. The first 32 bytes of the key stream are the
 * one-time Poly1305 key, the rest encrypts. Only opening is needed to read cosign's keys; sealing
 * is here because it is the same few lines and lets the tests go round trip.
 */
final class SecretBox {

    static final int KEY_SIZE = 32;
    static final int NONCE_SIZE = 24;
    static final int TAG_SIZE = 16;

    private static final BigInteger P1305 = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
    private static final BigInteger CLAMP = new BigInteger("0ffffffc0ffffffc0ffffffc0fffffff", 16);
    private static final BigInteger MASK128 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private SecretBox() {}

    static byte[] seal(byte[] plaintext, byte[] nonce, byte[] key) {
        check(nonce, key);
        byte[] stream = Salsa20.xsalsa20Stream(key, nonce, 32 + plaintext.length);
        byte[] out = new byte[TAG_SIZE + plaintext.length];
        for (int i = 0; i < plaintext.length; i++) {
            out[TAG_SIZE + i] = (byte) (plaintext[i] ^ stream[32 + i]);
        }
        byte[] tag = poly1305(Arrays.copyOf(stream, 32), Arrays.copyOfRange(out, TAG_SIZE, out.length));
        System.arraycopy(tag, 0, out, 0, TAG_SIZE);
        return out;
    }

    /** The plaintext, or null when the box was not sealed with this key and nonce (or was changed). */
    static byte[] open(byte[] box, byte[] nonce, byte[] key) {
        check(nonce, key);
        if (box.length < TAG_SIZE) {
            return null;
        }
        byte[] ciphertext = Arrays.copyOfRange(box, TAG_SIZE, box.length);
        byte[] stream = Salsa20.xsalsa20Stream(key, nonce, 32 + ciphertext.length);
        byte[] expected = poly1305(Arrays.copyOf(stream, 32), ciphertext);
        if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, TAG_SIZE))) {
            return null;
        }
        byte[] plaintext = new byte[ciphertext.length];
        for (int i = 0; i < ciphertext.length; i++) {
            plaintext[i] = (byte) (ciphertext[i] ^ stream[32 + i]);
        }
        return plaintext;
    }

    private static void check(byte[] nonce, byte[] key) {
        if (nonce.length != NONCE_SIZE || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("secretbox needs a 24-byte nonce and a 32-byte key");
        }
    }

    /**
     * Poly1305 (RFC 8439 section 2.5) with arbitrary-precision arithmetic: a key file's box is a few
     * hundred bytes, so clarity wins over the constant-time limb arithmetic of a stream cipher library.
     */
    static byte[] poly1305(byte[] oneTimeKey, byte[] message) {
        BigInteger r = littleEndian(Arrays.copyOf(oneTimeKey, 16)).and(CLAMP);
        BigInteger s = littleEndian(Arrays.copyOfRange(oneTimeKey, 16, 32));
        BigInteger accumulator = BigInteger.ZERO;
        for (int p = 0; p < message.length; p += 16) {
            byte[] chunk = Arrays.copyOfRange(message, p, Math.min(p + 16, message.length));
            BigInteger n = littleEndian(chunk).setBit(8 * chunk.length);
            accumulator = accumulator.add(n).multiply(r).mod(P1305);
        }
        byte[] be = accumulator.add(s).and(MASK128).toByteArray();
        byte[] tag = new byte[16];
        for (int i = 0; i < 16 && i < be.length; i++) {
            tag[i] = be[be.length - 1 - i];
        }
        return tag;
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] be = new byte[bytes.length + 1];
        for (int i = 0; i < bytes.length; i++) {
            be[bytes.length - i] = bytes[i];
        }
        return new BigInteger(be);
    }
}
