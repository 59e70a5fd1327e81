package dev.jbuild.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerException;
import dev.jbuild.layer.LayerResult;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerIndexTest {

    @TempDir
    Path temp;

    private static String describe(LayerEntry e) {
        var a = e.attributes();
        String extra = e instanceof LayerEntry.RegularFile f ? " size=" + f.size()
                : e instanceof LayerEntry.Symlink s ? " -> " + s.target()
                : e instanceof LayerEntry.Hardlink h ? " => " + h.target()
                : e instanceof LayerEntry.Device d ? " dev " + d.kind() + d.major() + "," + d.minor() : "";
        StringBuilder xattrs = new StringBuilder();
        a.xattrs().forEach((k, v) -> xattrs.append(k).append('=').append(Arrays.toString(v)));
        return e.getClass().getSimpleName() + " " + e.path() + " " + Integer.toOctalString(a.mode()) + " " + a.uid() + ":"
                + a.gid() + " " + a.mtime() + extra + " " + xattrs;
    }

    @Test
    void indexesEveryKindOfEntryAndRebuildsADamagedIndex() throws Exception {
        Store store = Store.open(temp.resolve("store"));
        Instant time = Instant.ofEpochSecond(1_700_000_000);
        EntryAttributes attributes = new EntryAttributes(0644, 1000, 50, time, Map.of("user.k", new byte[] {0, (byte) 0xfe}));
        List<LayerEntry> entries = List.of(
                new LayerEntry.Directory("etc", EntryAttributes.of(0755).withMtime(time)),
                LayerEntry.RegularFile.of("etc/file", attributes, "data".getBytes()),
                new LayerEntry.Hardlink("etc/hard", attributes, "etc/file"),
                new LayerEntry.Symlink("etc/link", EntryAttributes.of(0777).withMtime(time), "file"),
                new LayerEntry.Device("dev-null", EntryAttributes.of(0666).withMtime(time), DeviceKind.CHARACTER, 1, 3),
                new LayerEntry.Fifo("fifo", EntryAttributes.of(0600).withMtime(time)),
                new LayerEntry.Whiteout("etc/gone", EntryAttributes.of(0).withMtime(time)),
                new LayerEntry.OpaqueWhiteout("opaque", EntryAttributes.of(0).withMtime(time)));
        LayerRecord layer;
        try (BlobWriter blob = store.blobWriter()) {
            LayerResult result = new LayerWriter(new LayerWriter.Options(Compression.GZIP, -1, 1, null)).write(entries, blob);
            layer = new LayerRecord(new Descriptor(result.mediaType(), blob.commit(), result.compressedSize()),
                    Digest.parse(result.diffId()));
        }
        LayerIndex index = new LayerIndex(store);
        List<String> first = index.entries(layer).stream().map(LayerIndexTest::describe).toList();
        Path file = store.root().resolve("cache/layer-index/" + layer.diffId().hex() + ".idx");
        List<String> fromIndex = index.entries(layer).stream().map(LayerIndexTest::describe).toList();
        assertEquals(first, fromIndex, "the stored index gives back exactly what the layer holds");
        assertEquals(8, fromIndex.size());

        Files.write(file, new byte[] {31, -117, 8, 0, 1, 2});
        assertEquals(first, new LayerIndex(store).entries(layer).stream().map(LayerIndexTest::describe).toList());
        assertNotEquals(6, Files.size(file), "the damaged index was replaced");
    }

    private static LayerRecord write(Store store, List<LayerEntry> entries, Compression compression) throws Exception {
        try (BlobWriter blob = store.blobWriter()) {
            LayerResult result = new LayerWriter(new LayerWriter.Options(compression, -1, 1, null)).write(entries, blob);
            return new LayerRecord(new Descriptor(result.mediaType(), blob.commit(), result.compressedSize()),
                    Digest.parse(result.diffId()));
        }
    }

    /** Indexing checks the blob against its diff_id, also when an index of another blob with that diff_id exists. */
    @Test
    void aBlobThatIsNotItsDiffIdIsRefusedAndNeverBorrowsAnotherBlobsIndex() throws Exception {
        Store store = Store.open(temp.resolve("store"));
        Instant time = Instant.ofEpochSecond(1_700_000_000);
        LayerRecord honest = write(store, List.of(LayerEntry.RegularFile.of("a", EntryAttributes.of(0644).withMtime(time),
                "a".getBytes())), Compression.GZIP);
        LayerRecord other = write(store, List.of(LayerEntry.RegularFile.of("b", EntryAttributes.of(0644).withMtime(time),
                "b".getBytes())), Compression.GZIP);
        LayerIndex index = new LayerIndex(store);
        assertEquals(1, index.entries(honest).size());

        LayerRecord lying = new LayerRecord(other.descriptor(), honest.diffId());
        LayerOrigin origin = new LayerOrigin("example/base:1", 1, 2);
        LayerException e = Assertions.assertThrows(
                LayerException.class, () -> index.entries(lying, origin));
        assertEquals("layer 2 of 2 (" + other.descriptor().digest() + ") of image example/base:1 does not match the image"
                + " config: its uncompressed content has digest " + other.diffId() + ", but rootfs.diff_ids[1] says "
                + honest.diffId(), e.getMessage());
        assertEquals("a", index.entries(honest).get(0).path(), "the honest index is still there");

        // The same tar compressed another way: checked once, then indexed under its own blob.
        LayerRecord zstd = write(store, List.of(LayerEntry.RegularFile.of("a", EntryAttributes.of(0644).withMtime(time),
                "a".getBytes())), Compression.ZSTD);
        assertEquals(honest.diffId(), zstd.diffId());
        assertEquals("a", index.entries(zstd).get(0).path());
    }

    /** An index in the store's format with one regular file entry at {@code path} and one xattr of {@code xattrBytes}. */
    private static byte[] index(String path, int xattrBytes) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(2);
            out.writeUTF(Digest.of(new byte[] {9}).toString());
            out.writeInt(1);
            out.writeChar('f');
            out.writeUTF(path);
            out.writeInt(0644);
            out.writeLong(0);
            out.writeLong(0);
            out.writeLong(0);
            out.writeInt(0);
            out.writeLong(3);
            out.writeUTF("");
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(1);
            out.writeUTF("user.x");
            out.writeInt(xattrBytes);
            out.write(new byte[Math.min(xattrBytes, 16)]);
        }
        return bytes.toByteArray();
    }

    /** Indexes from a registry cache are checked before the store keeps them. */
    @Test
    void installAcceptsACleanIndexAndRefusesHostileOnes() throws Exception {
        Store store = Store.open(temp.resolve("store"));
        Digest diffId = Digest.of(new byte[] {1});
        LayerIndex.install(store, diffId, index("usr/bin/tool", 3));
        assertEquals(true, LayerIndex.has(store, diffId));

        Digest hostile = Digest.of(new byte[] {2});
        for (byte[] bad : List.of(index("../etc/passwd", 3), index("a/../../b", 3), index("x/.wh.y", 3),
                index("ok", Integer.MAX_VALUE), Arrays.copyOf(index("ok", 3), 10), new byte[] {1, 2, 3})) {
            Assertions.assertThrows(IOException.class, () -> LayerIndex.install(store, hostile, bad));
            assertEquals(false, LayerIndex.has(store, hostile));
        }
        try (var left = Files.list(LayerIndex.file(store, hostile).getParent())) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }
}
