package dev.jbuild.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** scrypt, PBKDF2, Poly1305 and secretbox against their published test vectors (no process, no network). */
class KeyCryptoTest {

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("[\\s:]", ""));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void scryptMatchesRfc7914() {
        // RFC 7914 section 12 (the fourth vector, N=2^20, needs 1 GiB and adds nothing).
        assertArrayEquals(hex("77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42"
                + "fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06"),
                Scrypt.derive(new byte[0], new byte[0], 16, 1, 1, 64));
        assertArrayEquals(hex("fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62"
                + "2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40"),
                Scrypt.derive(ascii("password"), ascii("NaCl"), 1024, 8, 16, 64));
        assertArrayEquals(hex("70 23 bd cb 3a fd 73 48 46 1c 06 cd 81 fd 38 eb fd a8 fb ba 90 4f 8e 3e a9 b5 43 f6 54 5d a1 f2"
                + "d5 43 29 55 61 3f 0f cf 62 d4 97 05 24 2a 9a f9 e6 1e 85 dc 0d 65 1e 40 df cf 01 7b 45 57 58 87"),
                Scrypt.derive(ascii("pleaseletmein"), ascii("SodiumChloride"), 16384, 8, 1, 64));
    }

    @Test
    void pbkdf2MatchesRfc7914() {
        // RFC 7914 section 11, the one-iteration vector.
        assertArrayEquals(hex("55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05 f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc"
                + "49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31 7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83"),
                Scrypt.pbkdf2(ascii("passwd"), ascii("salt"), 64));
    }

    @Test
    void poly1305MatchesRfc8439() {
        // RFC 8439 section 2.5.2.
        byte[] key = hex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b");
        assertArrayEquals(hex("a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9"),
                SecretBox.poly1305(key, ascii("Cryptographic Forum Research Group")));
    }

    @Test
    void cosignKeysWithOtherScryptParametersAreRefusedBeforeAnyWork() {
        // securesystemslib accepts only the parameter sets it writes; a file asking for more memory is not read.
        String json = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1048576,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
                + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}";
        SigningException e = assertThrows(SigningException.class,
                () -> CosignKeyFile.decrypt(json.getBytes(StandardCharsets.US_ASCII), "pw".toCharArray(), "cosign.key"));
        assertEquals("unsupported scrypt parameters N=1048576 r=8 p=1 in cosign.key", e.getMessage());
    }

    @Test
    void secretBoxOpensWhatItSealsAndNothingElse() {
        byte[] key = new byte[32];
        byte[] nonce = new byte[24];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        nonce[23] = 7;
        byte[] message = new byte[200]; // more than one 64-byte block after the Poly1305 key
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 31);
        }
        byte[] box = SecretBox.seal(message, nonce, key);
        assertEquals(message.length + 16, box.length);
        assertArrayEquals(message, SecretBox.open(box, nonce, key));
        box[100] ^= 1;
        assertNull(SecretBox.open(box, nonce, key), "a changed byte fails the tag");
        box[100] ^= 1;
        key[0] ^= 1;
        assertNull(SecretBox.open(box, nonce, key), "another key fails the tag");
    }
}
