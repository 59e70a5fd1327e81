package dev.jbuild.signing;

import java.util.Arrays;

/**
 * The Salsa20 core (Bernstein), the one primitive under both halves of cosign's key encryption:
 * scrypt mixes with Salsa20/8, NaCl's secretbox encrypts with XSalsa20 (HSalsa20 to derive a
 * subkey from the first 16 nonce bytes, then Salsa20/20). The JDK has neither, so it is here;
 * speed matters only for scrypt, which calls {@link #core} about 2^21 times for cosign's parameters.
 */
final class Salsa20 {

    /** "expand 32-byte k" as four little-endian words. */
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

    private Salsa20() {}

    /**
     * {@code out = in + rounds(in)} word by word (the core with its feed-forward), for 8 (scrypt)
     * or 20 rounds; {@code in} and {@code out} may be the same array at the same offset.
     */
    static void core(int[] in, int inOffset, int[] out, int outOffset, int rounds) {
        int[] x = new int[16];
        System.arraycopy(in, inOffset, x, 0, 16);
        permute(x, rounds);
        for (int i = 0; i < 16; i++) {
            out[outOffset + i] = x[i] + in[inOffset + i];
        }
    }

    /** The double rounds without the feed-forward (HSalsa20 takes words from this). */
    private static void permute(int[] x, int rounds) {
        for (int i = 0; i < rounds; i += 2) {
            // Column round.
            x[4] ^= Integer.rotateLeft(x[0] + x[12], 7);
            x[8] ^= Integer.rotateLeft(x[4] + x[0], 9);
            x[12] ^= Integer.rotateLeft(x[8] + x[4], 13);
            x[0] ^= Integer.rotateLeft(x[12] + x[8], 18);
            x[9] ^= Integer.rotateLeft(x[5] + x[1], 7);
            x[13] ^= Integer.rotateLeft(x[9] + x[5], 9);
            x[1] ^= Integer.rotateLeft(x[13] + x[9], 13);
            x[5] ^= Integer.rotateLeft(x[1] + x[13], 18);
            x[14] ^= Integer.rotateLeft(x[10] + x[6], 7);
            x[2] ^= Integer.rotateLeft(x[14] + x[10], 9);
            x[6] ^= Integer.rotateLeft(x[2] + x[14], 13);
            x[10] ^= Integer.rotateLeft(x[6] + x[2], 18);
            x[3] ^= Integer.rotateLeft(x[15] + x[11], 7);
            x[7] ^= Integer.rotateLeft(x[3] + x[15], 9);
            x[11] ^= Integer.rotateLeft(x[7] + x[3], 13);
            x[15] ^= Integer.rotateLeft(x[11] + x[7], 18);
            // Row round.
            x[1] ^= Integer.rotateLeft(x[0] + x[3], 7);
            x[2] ^= Integer.rotateLeft(x[1] + x[0], 9);
            x[3] ^= Integer.rotateLeft(x[2] + x[1], 13);
            x[0] ^= Integer.rotateLeft(x[3] + x[2], 18);
            x[6] ^= Integer.rotateLeft(x[5] + x[4], 7);
            x[7] ^= Integer.rotateLeft(x[6] + x[5], 9);
            x[4] ^= Integer.rotateLeft(x[7] + x[6], 13);
            x[5] ^= Integer.rotateLeft(x[4] + x[7], 18);
            x[11] ^= Integer.rotateLeft(x[10] + x[9], 7);
            x[8] ^= Integer.rotateLeft(x[11] + x[10], 9);
            x[9] ^= Integer.rotateLeft(x[8] + x[11], 13);
            x[10] ^= Integer.rotateLeft(x[9] + x[8], 18);
            x[12] ^= Integer.rotateLeft(x[15] + x[14], 7);
            x[13] ^= Integer.rotateLeft(x[12] + x[15], 9);
            x[14] ^= Integer.rotateLeft(x[13] + x[12], 13);
            x[15] ^= Integer.rotateLeft(x[14] + x[13], 18);
        }
    }

    /** The 16-word input block of a 32-byte key and 16 bytes of nonce (and counter). */
    private static int[] block(byte[] key, byte[] input16) {
        int[] x = new int[16];
        x[0] = SIGMA[0];
        x[5] = SIGMA[1];
        x[10] = SIGMA[2];
        x[15] = SIGMA[3];
        for (int i = 0; i < 4; i++) {
            x[1 + i] = le32(key, 4 * i);
            x[11 + i] = le32(key, 16 + 4 * i);
            x[6 + i] = le32(input16, 4 * i);
        }
        return x;
    }

    /** HSalsa20: a 32-byte subkey from a key and 16 bytes of nonce. */
    static byte[] hsalsa20(byte[] key, byte[] nonce16) {
        int[] x = block(key, nonce16);
        permute(x, 20);
        byte[] out = new byte[32];
        int[] words = {x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9]};
        for (int i = 0; i < 8; i++) {
            putLe32(out, 4 * i, words[i]);
        }
        return out;
    }

    /** {@code length} bytes of the XSalsa20 key stream for a 32-byte key and 24-byte nonce, from block 0. */
    static byte[] xsalsa20Stream(byte[] key, byte[] nonce24, int length) {
        byte[] subkey = hsalsa20(key, Arrays.copyOf(nonce24, 16));
        byte[] input = new byte[16];
        System.arraycopy(nonce24, 16, input, 0, 8);
        byte[] stream = new byte[length];
        int[] words = new int[16];
        long counter = 0;
        for (int p = 0; p < length; p += 64, counter++) {
            for (int i = 0; i < 8; i++) {
                input[8 + i] = (byte) (counter >>> (8 * i));
            }
            core(block(subkey, input), 0, words, 0, 20);
            for (int i = 0; i < 64 && p + i < length; i++) {
                stream[p + i] = (byte) (words[i / 4] >>> (8 * (i % 4)));
            }
        }
        return stream;
    }

    static int le32(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16 | (b[offset + 3] & 0xff) << 24;
    }

    static void putLe32(byte[] b, int offset, int value) {
        b[offset] = (byte) value;
        b[offset + 1] = (byte) (value >>> 8);
        b[offset + 2] = (byte) (value >>> 16);
        b[offset + 3] = (byte) (value >>> 24);
    }
}
