package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** getfattr's dump read back to the files asked about, names byte for byte. */
class FileCapabilitiesTest {

    @Test
    void namesWithEscapesAndRawBytesMatchTheFilesAskedAbout() throws IOException {
        Path plain = Path.of("/u/bin/ping");
        Path odd = Path.of("/u/a b=c\\d");
        Path raw = Path.of("/u/caf\u00e9");
        String rawName = new String("/u/caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        Map<String, Path> asked = Map.of("/u/bin/ping", plain, "/u/a b=c\\d", odd, rawName, raw);
        byte[] dump = ("# file: /u/bin/ping\nsecurity.capability=0x0100000200200000000000000000000000000000\n\n"
                + "# file: /u/a b=c\\134d\nsecurity.capability=0x0100000200040000000000000000000000000000\n\n"
                + "# file: " + rawName + "\nsecurity.capability=0x01000002\n\n").getBytes(StandardCharsets.ISO_8859_1);
        Map<Path, byte[]> caps = FileCapabilities.parse(dump, asked);
        assertEquals(3, caps.size());
        assertArrayEquals(HexFormat.of().parseHex("0100000200200000000000000000000000000000"), caps.get(plain));
        assertArrayEquals(HexFormat.of().parseHex("0100000200040000000000000000000000000000"), caps.get(odd));
        assertArrayEquals(HexFormat.of().parseHex("01000002"), caps.get(raw));
    }

    @Test
    void namesWrittenForSetfattrEscapeWhatGetfattrEscapesAndReadBack() throws IOException {
        byte[] name = "/a\\b\nc d\u00e9".getBytes(StandardCharsets.UTF_8);
        byte[] escaped = FileCapabilities.escape(name);
        assertEquals("/a\\134b\\012c d\u00c3\u00a9", new String(escaped, StandardCharsets.ISO_8859_1));
        Path file = Path.of("/x");
        byte[] dump = ("# file: " + new String(escaped, StandardCharsets.ISO_8859_1) + "\nsecurity.capability=0x01\n\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(1, FileCapabilities.parse(dump, Map.of(new String(name, StandardCharsets.ISO_8859_1), file)).size());
    }

    @Test
    void aNameNotAskedAboutOrAnUnknownLineIsAnError() {
        assertThrows(IOException.class, () -> FileCapabilities.parse(
                "# file: /other\nsecurity.capability=0x01\n".getBytes(StandardCharsets.ISO_8859_1), Map.of()));
        assertThrows(IOException.class, () -> FileCapabilities.parse(
                "getfattr: something\n".getBytes(StandardCharsets.ISO_8859_1), Map.of()));
    }
}
