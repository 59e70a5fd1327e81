package dev.jbuild.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {

    static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void digestOfKnownVectors() {
        assertEquals(EMPTY_SHA256, Digest.of(new byte[0]).toString());
        assertEquals("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                Digest.of("{}".getBytes(StandardCharsets.UTF_8)).toString());
        assertEquals("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
                Digest.of(Digest.SHA512, new byte[0]).toString());
    }

    @Test
    void parseKeepsAlgorithmAndHex() {
        Digest d = Digest.parse(EMPTY_SHA256);
        assertEquals("sha256", d.algorithm());
        assertEquals(64, d.hex().length());
        assertEquals(EMPTY_SHA256, d.toString());
        assertEquals("e3b0c44298fc", d.shortHex());
        assertEquals(d, Digest.sha256(d.hex()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:",
        ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha384:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
    })
    void rejectsNonCanonicalOrUnsupportedDigests(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
        assertTrue(e.getMessage().contains("digest"), e.getMessage());
        assertFalse(Digest.isValid(text));
    }

    @Test
    void acceptsSha512() {
        String hex = "a".repeat(128);
        assertTrue(Digest.isValid("sha512:" + hex));
        assertEquals(Digest.SHA512, Digest.parse("sha512:" + hex).algorithm());
    }

    @Test
    void digesterHashesWhatStreamsThrough() throws IOException {
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Digester reading = Digester.sha256();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (InputStream in = reading.wrap(new ByteArrayInputStream(content))) {
            assertEquals(content[0], (byte) in.read());
            in.skip(10);
            in.transferTo(copy);
        }
        assertEquals(Digest.of(content), reading.digest());
        assertEquals(content.length, reading.size());

        Digester writing = Digester.sha256();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = writing.wrap(sink)) {
            out.write(content[0]);
            out.write(content, 1, content.length - 1);
        }
        assertArrayEquals(content, sink.toByteArray());
        assertEquals(Digest.of(content), writing.digest());
        assertEquals(Digest.of(content), Digest.of(new ByteArrayInputStream(content)));
        assertThrows(IllegalStateException.class, () -> writing.update(new byte[1], 0, 1));
    }

    /** Single bytes, whole arrays and slices hash and count alike (cache keys feed single bytes). */
    @Test
    void digesterUpdatesAgreeWithOneShot() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        Digester bytes = Digester.sha256();
        for (byte b : abc) {
            bytes.update(b);
        }
        Digester whole = Digester.sha256();
        whole.update(abc);
        Digester slice = Digester.sha256();
        slice.update(new byte[] {9, 'a', 'b', 'c', 9}, 1, 3);
        // FIPS 180-2's first example.
        String expected = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        for (Digester d : new Digester[] {bytes, whole, slice}) {
            assertEquals(3, d.size());
            assertEquals(expected, d.digest().toString());
            assertEquals(d.digest(), d.digest(), "the digest is computed once and kept");
        }
        assertThrows(IllegalStateException.class, () -> bytes.update((byte) 1));
    }

    @Test
    void isSha256AcceptsOnlyCanonicalSha256() {
        assertTrue(Digest.isSha256(EMPTY_SHA256));
        assertFalse(Digest.isSha256(null));
        assertFalse(Digest.isSha256(EMPTY_SHA256.toUpperCase()));
        assertFalse(Digest.isSha256(Digest.of(Digest.SHA512, new byte[0]).toString()));
        assertFalse(Digest.isSha256("sha256:abc"));
    }
}
