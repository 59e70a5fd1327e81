package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tmp/} and the {@code .tmp} leftovers of atomic writes: what they are named, what is abandoned. */
class TempSpaceTest {

    /** The token of no process: it has no owner file, so its entries are garbage at once. */
    static final String DEAD_TOKEN = "0123456789abcdef01234567";

    @TempDir
    Path dir;

    Path root;
    TempSpace temp;
    FileTime old;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.toRealPath();
        temp = new TempSpace(root, TempOwners.forStore(root));
        Files.createDirectories(temp.directory());
        old = FileTime.from(Instant.now().minus(TempSpace.STALE_AGE).minusSeconds(60));
    }

    @Test
    void entriesCarryThisProcesssTokenAndOnlyTemporaryDirectoriesCanBeDeletedThroughIt() throws Exception {
        Path file = temp.newFileName("blob");
        assertEquals(temp.directory(), file.getParent());
        assertFalse(Files.exists(file), "a name only");
        String token = TempOwners.tokenOf(file.getFileName().toString());
        assertNotNull(token, file.toString());
        assertTrue(file.getFileName().toString().matches("blob-" + token + "-[-0-9a-f]{36}\\.tmp"), file.toString());

        Path scratch = temp.createDirectory("context");
        assertEquals(token, TempOwners.tokenOf(scratch.getFileName().toString()));
        assertTrue(scratch.getFileName().toString().startsWith("context-" + token + "-"), scratch.toString());
        Files.createDirectories(scratch.resolve("sub"));
        Files.writeString(scratch.resolve("sub/f"), "x");
        temp.deleteDirectory(scratch);
        assertFalse(Files.exists(scratch));

        Path nested = Files.createDirectories(temp.directory().resolve("a/b"));
        assertThrows(IllegalArgumentException.class, () -> temp.deleteDirectory(nested));
        assertThrows(IllegalArgumentException.class, () -> temp.deleteDirectory(root.resolve("blobs")));
        assertTrue(Files.exists(nested));
    }

    @Test
    void abandonedAreEntriesOfDeadOwnersAndOldEntriesWithoutOne() throws Exception {
        Path mine = temp.createDirectory("build");
        Files.setLastModifiedTime(mine, old);
        Path dead = Files.createDirectory(temp.directory().resolve("build-" + DEAD_TOKEN + "-1"));
        Path oldPlain = Files.writeString(temp.directory().resolve("blob-old.tmp"), "x");
        Files.setLastModifiedTime(oldPlain, old);
        Files.writeString(temp.directory().resolve("blob-young.tmp"), "x");

        assertEquals(Set.of(dead, oldPlain), Set.copyOf(temp.abandonedEntries()),
                "never this live process's entry, however old; a young entry without owner may be a write in progress");
    }

    @Test
    void openingRemovesAbandonedFilesButLeavesDirectoriesToGarbageCollection() throws Exception {
        Path deadFile = Files.writeString(temp.directory().resolve("blob-" + DEAD_TOKEN + "-1.tmp"), "x");
        Path deadDir = Files.createDirectory(temp.directory().resolve("build-" + DEAD_TOKEN + "-2"));
        Path oldPlain = Files.writeString(temp.directory().resolve("blob-old.tmp"), "x");
        Path youngPlain = Files.writeString(temp.directory().resolve("blob-young.tmp"), "x");
        Path beside = Files.writeString(root.resolve(".index.json.1234.tmp"), "{");
        Path besideYoung = Files.writeString(root.resolve(".index.json.5678.tmp"), "{");
        Path records = Files.createDirectories(root.resolve("cache/records"));
        Path record = Files.writeString(records.resolve("." + "a".repeat(64) + ".1.tmp"), "{");
        Path cacheFile = Files.writeString(root.resolve("cache/.files.1.tmp"), "");
        for (Path p : new Path[] {oldPlain, beside, record, cacheFile}) {
            Files.setLastModifiedTime(p, old);
        }

        assertEquals(5, temp.removeStaleFiles(Instant.now().minus(TempSpace.STALE_AGE)));
        try (Stream<Path> left = Files.list(temp.directory())) {
            assertEquals(Set.of(deadDir, youngPlain), left.collect(Collectors.toSet()));
        }
        assertFalse(Files.exists(deadFile));
        assertFalse(Files.exists(beside));
        assertFalse(Files.exists(record));
        assertFalse(Files.exists(cacheFile));
        assertTrue(Files.exists(besideYoung), "a younger one may be another process's write in progress");
    }
}
