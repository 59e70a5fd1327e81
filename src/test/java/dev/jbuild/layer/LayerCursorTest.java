package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerCursorTest {

    @Test
    void yieldsWhatLayerReaderYieldsAndContentOnDemand() throws IOException {
        byte[] layer = gzipLayer(List.of(
                LayerEntry.RegularFile.of("a/one", EntryAttributes.of(0644), "first".getBytes(StandardCharsets.UTF_8)),
                LayerEntry.RegularFile.of("b/two", EntryAttributes.of(0600), "second".getBytes(StandardCharsets.UTF_8)),
                new LayerEntry.Directory("a", EntryAttributes.of(0755)),
                new LayerEntry.Directory("b", EntryAttributes.of(0755)),
                new LayerEntry.Whiteout("c", EntryAttributes.of(0644)),
                new LayerEntry.OpaqueWhiteout("b", EntryAttributes.of(0644))));
        List<String> expected = new ArrayList<>();
        LayerReader.read(new ByteArrayInputStream(layer), (e, content) -> expected.add(describe(e)));

        List<String> actual = new ArrayList<>();
        String secondContent = null;
        try (LayerCursor cursor = LayerCursor.open(new ByteArrayInputStream(layer))) {
            for (LayerEntry e = cursor.next(); e != null; e = cursor.next()) {
                actual.add(describe(e));
                if (e.path().equals("b/two")) {
                    // a/one's content was never read: the cursor skipped it.
                    secondContent = new String(cursor.content().readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            assertNull(cursor.next());
        }
        assertEquals(expected, actual);
        assertEquals("second", secondContent);
    }

    @Test
    void theRootEntryIsSkippedAndCorruptionReported() throws IOException {
        byte[] tar = new TarBuilder().dir("./", 0755).file("x", "data").end().tar();
        try (LayerCursor cursor = LayerCursor.open(new ByteArrayInputStream(tar))) {
            assertInstanceOf(LayerEntry.RegularFile.class, cursor.next());
            assertNull(cursor.next());
        }
        byte[] truncated = Arrays.copyOf(tar, 700);
        try (LayerCursor cursor = LayerCursor.open(new ByteArrayInputStream(truncated))) {
            assertThrows(LayerException.class, () -> {
                cursor.next();
                cursor.next();
            });
        }
    }

    private static String describe(LayerEntry e) {
        return e.getClass().getSimpleName() + " " + e.path() + " 0" + Integer.toOctalString(e.attributes().mode());
    }

    private static byte[] gzipLayer(List<LayerEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults().withThreads(1)).write(entries, out);
        return out.toByteArray();
    }
}
