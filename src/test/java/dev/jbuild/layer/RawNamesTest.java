package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Bytes;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Integration
class RawNamesTest {

    /** "bad\xff\xfeutf8": the two bytes are not UTF-8. */
    static final String BAD = "bad\uDCFF\uDCFEutf8";
    static final byte[] BAD_BYTES = {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, 'u', 't', 'f', '8'};

    @TempDir
    Path tmp;

    @Test
    void everyByteSequenceRoundTrips() {
        Random random = new Random(13);
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            String text = RawNames.decode(bytes);
            assertArrayEquals(bytes, RawNames.encode(text), text);
        }
        for (int b = 0; b < 256; b++) {
            byte[] one = {(byte) b};
            assertArrayEquals(one, RawNames.encode(RawNames.decode(one)));
        }
    }

    @Test
    void textIsUtf8AndInvalidBytesAreEscapes() {
        assertEquals(BAD, RawNames.decode(BAD_BYTES));
        assertArrayEquals(BAD_BYTES, RawNames.encode(BAD));
        assertEquals("café", RawNames.decode("café".getBytes(StandardCharsets.UTF_8)));
        // U+1F480 is D83D DC80 in UTF-16: its low half lies in the escape range but is text, not a byte.
        String skull = "\uD83D\uDC80";
        assertArrayEquals(skull.getBytes(StandardCharsets.UTF_8), RawNames.encode(skull));
        assertFalse(RawNames.hasEscapes(skull));
        assertTrue(RawNames.hasEscapes(BAD));
        assertEquals("bad\\xff\\xfeutf8", RawNames.display(BAD));
        // A truncated sequence: each of its bytes is escaped, the ASCII after it is text again.
        assertEquals("x\uDCE2\uDC82y", RawNames.decode(new byte[] {'x', (byte) 0xe2, (byte) 0x82, 'y'}));
    }

    @Test
    void hostNamesAreReadAndMadeByteForByte() throws IOException {
        // Made by the shell, not by Java, so that the bytes on disk do not depend on the code under test.
        ExternalTool.command("sh", "-c", "printf bad > \"$(printf 'bad\\377\\376utf8')\"; printf good > \"$(printf 'caf\\303\\251')\";"
                + " ln -s \"$(printf 'to\\377')\" link").directory(tmp).runSuccessfully();

        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            entries.forEach(entry -> names.add(RawNames.fileName(entry)));
        }
        assertEquals(List.of(BAD, "café", "link"), names.stream().sorted().toList());
        assertEquals("bad", Files.readString(RawNames.child(tmp, BAD)));
        assertEquals("good", Files.readString(RawNames.child(tmp, "café")));
        assertEquals("to\uDCFF", RawNames.pathText(Files.readSymbolicLink(tmp.resolve("link"))));
        assertFalse(Files.exists(RawNames.child(tmp, "bad\uDCFEutf8"), LinkOption.NOFOLLOW_LINKS));

        Files.createSymbolicLink(RawNames.child(tmp, "made\uDCFF"), RawNames.path("../x\uDCFF"));
        ExternalTool.command("sh", "-c", "test \"$(readlink \"$(printf 'made\\377')\")\" = \"$(printf '../x\\377')\"")
                .directory(tmp).runSuccessfully();
    }

    @Test
    void tarNamesKeepTheirBytesThroughWriteReadAndExtract() throws IOException {
        EntryAttributes attributes = new EntryAttributes(0644, 0, 0, Instant.EPOCH, Map.of());
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)).write(List.of(
                LayerEntry.RegularFile.of(BAD, attributes, "x".getBytes()),
                new LayerEntry.Symlink("link", attributes, "to\uDCFF"),
                new LayerEntry.Fifo("pipe\uDCFF", attributes)), blob);
        byte[] tar = blob.toByteArray();
        assertTrue(Bytes.contains(tar, concat("path=".getBytes(), BAD_BYTES, "\n".getBytes())), "PAX path holds the raw bytes");

        List<String> read = new ArrayList<>();
        LayerReader.read(new ByteArrayInputStream(tar), (entry, content) -> read.add(entry.path()));
        assertEquals(List.of(BAD, "link", "pipe\uDCFF"), read);

        Path root = Files.createDirectory(tmp.resolve("root"));
        new LayerExtractor().extract(new ByteArrayInputStream(tar), root, LayerExtractor.Options.defaults());
        ExternalTool.command("sh", "-c", "test \"$(cat \"$(printf 'bad\\377\\376utf8')\")\" = x"
                + " && test \"$(readlink link)\" = \"$(printf 'to\\377')\""
                + " && test -p \"$(printf 'pipe\\377')\" && test \"$(ls | wc -l)\" = 3").directory(root).runSuccessfully();
    }


    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
