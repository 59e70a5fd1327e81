package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache/records/<key>} and the helper files beside them. */
class CacheRecordsTest {

    static final String KEY = "a".repeat(64);
    static final String OTHER = "b".repeat(64);

    @TempDir
    Path root;

    @Test
    void recordsAreWrittenWholeUnderTheirKeyAndListedWithTheirLastUse() throws Exception {
        CacheRecords records = new CacheRecords(root);
        assertEquals(Optional.empty(), records.read(KEY));
        assertTrue(records.all().isEmpty(), "no cache/ yet is no records");

        records.write(KEY, bytes("one"));
        records.write(OTHER, bytes("two"));
        assertArrayEquals(bytes("one"), Files.readAllBytes(root.resolve("cache/records/" + KEY)));
        assertArrayEquals(bytes("two"), records.read(OTHER).orElseThrow());
        try (Stream<Path> files = Files.list(root.resolve("cache/records"))) {
            assertEquals(List.of(KEY, OTHER), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left beside them");
        }

        Instant old = Instant.parse("2020-01-01T00:00:00Z");
        Files.setLastModifiedTime(root.resolve("cache/records/" + KEY), FileTime.from(old));
        Files.writeString(root.resolve("cache/records/.not-a-key.tmp"), "partial");
        assertEquals(List.of(KEY, OTHER), List.copyOf(records.all().keySet()), "only keys, sorted");
        assertEquals(old, records.all().get(KEY));
        records.touch(KEY);
        assertTrue(records.all().get(KEY).isAfter(Instant.now().minusSeconds(600)), "a hit marks the record used");

        assertTrue(records.delete(KEY));
        assertFalse(records.delete(KEY));
        assertEquals(List.of(OTHER), List.copyOf(records.all().keySet()));
        records.touch(KEY); // a record removed meanwhile: nothing to do, no failure
    }

    @Test
    void keysAndFileNamesCannotLeaveTheirDirectory() {
        CacheRecords records = new CacheRecords(root);
        for (String key : new String[] {null, "", "../" + KEY.substring(3), KEY.toUpperCase(), KEY + "0"}) {
            assertThrows(IllegalArgumentException.class, () -> records.read(key), String.valueOf(key));
            assertThrows(IllegalArgumentException.class, () -> records.write(key, bytes("x")), String.valueOf(key));
        }
        for (String name : new String[] {"", "../files", "Files", "records/x", ".hidden"}) {
            assertThrows(IllegalArgumentException.class, () -> records.writeFile(name, bytes("x")), name);
        }
    }

    @Test
    void helperFilesLiveInCacheAndAreReplacedWhole() throws Exception {
        CacheRecords records = new CacheRecords(root);
        assertEquals(Optional.empty(), records.readFile("files"));
        records.writeFile("files", bytes("first"));
        records.writeFile("files", bytes("second"));
        assertArrayEquals(bytes("second"), records.readFile("files").orElseThrow());
        assertEquals(root.resolve("cache"), records.directory());
        try (Stream<Path> files = Files.list(root.resolve("cache"))) {
            assertEquals(List.of("files"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
