package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.MediaTypes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store damaged outside jbuild: a blob cut short (found by its size, replaced by the next writer of it) and an
 * index.json that is no image index (the store does not open, naming the file; reset still can).
 */
class StoreDamageTest {

    @TempDir
    Path root;

    private static byte[] content() {
        byte[] bytes = new byte[100_000];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    @Test
    void aBlobOfTheWrongSizeIsNotThereForItsDescriptor() throws IOException {
        Store store = Store.open(root);
        Descriptor blob = store.putBytes(MediaTypes.OCI_LAYER_TAR_GZIP, content());
        assertTrue(store.has(blob));

        truncate(store.path(blob.digest()), 5000);

        assertTrue(store.has(blob.digest()), "a file of that name is there");
        assertFalse(store.has(blob), "but not the blob the descriptor describes");
    }

    @Test
    void aWriterOfTheSameContentReplacesADamagedBlob() throws IOException {
        Store store = Store.open(root);
        byte[] bytes = content();
        Digest digest = store.putBytes(bytes);
        Path file = store.path(digest);

        // A build writes its layer without knowing the digest in advance: the commit finds the damaged file.
        truncate(file, 5000);
        try (BlobWriter writer = store.blobWriter()) {
            writer.write(bytes);
            assertEquals(digest, writer.commit());
        }
        assertArrayEquals(bytes, Files.readAllBytes(file));

        // putBytes (manifests, configs) decides by the size too.
        truncate(file, 10);
        store.putBytes(bytes);
        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertEquals(digest, Digest.of(store.readBytes(digest)));
    }

    @Test
    void aWriterOfABlobThatIsThereKeepsTheExistingFile() throws IOException {
        Store store = Store.open(root);
        byte[] bytes = content();
        Digest digest = store.putBytes(bytes);
        Path file = store.path(digest);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        try (BlobWriter writer = store.blobWriter()) {
            writer.write(bytes);
            writer.commit();
        }

        assertEquals(old, Files.getLastModifiedTime(file), "a blob of the right size is not rewritten");
        assertEquals(key, Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    }

    @Test
    void anIndexThatIsNotJsonFailsTheOpenNamingTheFileAndTheRemedy() throws IOException {
        Store.open(root);
        Path index = root.toRealPath().resolve("index.json");
        for (String damaged : new String[] {"garbage\n", "", "{\"schemaVersion\":2,\"manifests\":"}) {
            Files.writeString(index, damaged, StandardCharsets.UTF_8);

            IOException e = assertThrows(IOException.class, () -> Store.open(root));

            assertTrue(e instanceof DamagedIndexException, e.toString());
            assertTrue(e.getMessage().startsWith(index + ", where the store keeps its image names, is not valid JSON"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("restore it from a backup, or remove the whole store with `jbuild system reset`"),
                    e.getMessage());
            String words = Store.cannotOpen(root, e);
            assertTrue(words.startsWith("cannot open the image store at " + root + ": " + index), words);
            assertFalse(words.contains("--root"), "another directory is no remedy for a damaged store: " + words);
            assertEquals(damaged, Files.readString(index), "opening changes nothing");
        }
    }

    @Test
    void pruneRefusesAStoreWhoseIndexBecameUnreadable() throws IOException {
        Store store = Store.open(root);
        Digest blob = store.putBytes(content());
        // Damaged after the open (by hand, or by another program): every blob would look unreferenced.
        Files.writeString(store.root().resolve("index.json"), "garbage");

        IOException e = assertThrows(IOException.class, () -> StoreMaintenance.prune(store,
                new StoreMaintenance.PruneOptions(true, -1, null), StoreMaintenance.OtherIdsRemoval.NONE, w -> {}));

        assertTrue(e instanceof DamagedIndexException, e.toString());
        assertTrue(store.has(blob), "nothing removed");
    }

    @Test
    void aStoreWithADamagedIndexOpensForResetAndIsRemoved() throws IOException {
        Store store = Store.open(root.resolve("store"));
        store.putBytes(content());
        Files.writeString(store.root().resolve("index.json"), "garbage");

        Store opened = Store.openForReset(store.root());
        assertTrue(StoreMaintenance.reset(opened, StoreMaintenance.OtherIdsRemoval.NONE, w -> {}));

        assertFalse(Files.exists(store.root()));
    }
}
