package dev.jbuild.signing;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * scrypt (RFC 7914), the key derivation of cosign's encrypted keys. PBKDF2-HMAC-SHA256 is written
 * out here too rather than taken from the JDK's {@code PBKDF2WithHmacSHA256}: that one takes the
 * password as characters and refuses an empty one, while scrypt hashes bytes and cosign allows an
 * empty password.
 */
final class Scrypt {

    private Scrypt() {}

    /**
     * The derived key. {@code n} must be a power of two above 1; memory is {@code 128 * r * n}
     * bytes (64 MiB for cosign's default 2^16, 8), which is why callers accept only known parameters.
     */
    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int length) {
        if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || (long) r * p >= 1 << 30 || (long) 128 * r * n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid scrypt parameters N=" + n + " r=" + r + " p=" + p);
        }
        int blockBytes = 128 * r;
        byte[] b = pbkdf2(password, salt, p * blockBytes);
        int[] x = new int[32 * r];
        int[] v = new int[32 * r * n];
        int[] scratch = new int[32 * r];
        for (int i = 0; i < p; i++) {
            for (int w = 0; w < x.length; w++) {
                x[w] = Salsa20.le32(b, i * blockBytes + 4 * w);
            }
            roMix(x, v, scratch, r, n);
            for (int w = 0; w < x.length; w++) {
                Salsa20.putLe32(b, i * blockBytes + 4 * w, x[w]);
            }
        }
        return pbkdf2(password, b, length);
    }

    /** scryptROMix on {@code x} (32·r words) in place. */
    private static void roMix(int[] x, int[] v, int[] scratch, int r, int n) {
        int words = 32 * r;
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, v, i * words, words);
            blockMix(x, scratch, r);
        }
        for (int i = 0; i < n; i++) {
            // Integerify: the first word of the last 64-byte block, modulo n (a power of two).
            int j = x[(2 * r - 1) * 16] & (n - 1);
            for (int w = 0; w < words; w++) {
                x[w] ^= v[j * words + w];
            }
            blockMix(x, scratch, r);
        }
    }

    /** scryptBlockMix with Salsa20/8 on the 2·r blocks of {@code b}, in place; {@code y} is scratch space. */
    private static void blockMix(int[] b, int[] y, int r) {
        int[] t = new int[16];
        System.arraycopy(b, (2 * r - 1) * 16, t, 0, 16);
        for (int i = 0; i < 2 * r; i++) {
            for (int w = 0; w < 16; w++) {
                t[w] ^= b[i * 16 + w];
            }
            Salsa20.core(t, 0, t, 0, 8);
            // Even blocks to the first half of the output, odd ones to the second.
            int target = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
            System.arraycopy(t, 0, y, target, 16);
        }
        System.arraycopy(y, 0, b, 0, 32 * r);
    }

    /** PBKDF2 with HMAC-SHA256 and one iteration, as scrypt uses it (RFC 8018 section 5.2). */
    static byte[] pbkdf2(byte[] password, byte[] salt, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // HMAC pads a short key with zero bytes, so an empty key is the key {0}; SecretKeySpec refuses an empty one.
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
            byte[] out = new byte[length];
            for (int block = 1, p = 0; p < length; block++, p += 32) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                byte[] u = mac.doFinal();
                System.arraycopy(u, 0, out, p, Math.min(32, length - p));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
