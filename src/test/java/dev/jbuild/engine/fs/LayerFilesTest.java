package dev.jbuild.engine.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files of a stage's tree, as every RUN reads /etc/passwd and /etc/group. */
class LayerFilesTest {

    private static final byte[] PASSWD = "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] GROUP = "root:x:0:\n".getBytes(StandardCharsets.UTF_8);

    /** {@code entries} as a layer blob in {@code store}. */
    private static Digest putLayer(Store store, List<LayerEntry> entries) throws Exception {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults()).write(entries, blob);
        return store.putBytes(blob.toByteArray());
    }

    /** A view of the one layer {@code entries}, its files' content in blob {@code digest}. */
    private static FsView indexed(Digest digest, List<LayerEntry> entries) {
        FsView view = new FsView();
        view.beginLayer();
        for (LayerEntry e : entries) {
            view.apply(e, e instanceof LayerEntry.RegularFile ? new FsView.Content.InLayer(digest, e.path()) : null);
        }
        return view;
    }

    @Test
    void filesOfALayerBlobAreReadOnceForTheWholeBuild(@TempDir Path dir) throws Exception {
        Store store = Store.open(dir.resolve("store"));
        List<LayerEntry> entries = List.of(new LayerEntry.Directory("etc", EntryAttributes.of(0755)),
                LayerEntry.RegularFile.of("etc/passwd", EntryAttributes.of(0644), PASSWD),
                LayerEntry.RegularFile.of("etc/group", EntryAttributes.of(0644), GROUP),
                new LayerEntry.Symlink("etc/users", EntryAttributes.of(0777), "passwd"));
        Digest digest = putLayer(store, entries);
        FsView view = indexed(digest, entries);
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        LayerFiles files = new LayerFiles(store, scratch);

        Map<String, byte[]> read = view.readSmallFiles(List.of("etc/passwd", "etc/group", "etc/users", "etc/shadow"),
                files);
        assertEquals(List.of("etc/passwd", "etc/group", "etc/users"), List.copyOf(read.keySet()),
                "a missing file is left out; a link is followed");
        assertArrayEquals(PASSWD, read.get("etc/passwd"));
        assertArrayEquals(GROUP, read.get("etc/group"));
        assertArrayEquals(PASSWD, read.get("etc/users"));

        // The blob's content cannot change (it is named by its digest): a later step gets the same bytes
        // without streaming the layer again, here even with the blob gone from the store.
        Files.delete(store.path(digest));
        Map<String, byte[]> again = view.readSmallFiles(List.of("etc/group", "etc/passwd"), files);
        assertArrayEquals(PASSWD, again.get("etc/passwd"));
        assertArrayEquals(GROUP, again.get("etc/group"));
    }

    @Test
    void filesOnDiskAreReadThereAndTheRestFromTheBlob(@TempDir Path dir) throws Exception {
        Store store = Store.open(dir.resolve("store"));
        List<LayerEntry> entries = List.of(new LayerEntry.Directory("etc", EntryAttributes.of(0755)),
                LayerEntry.RegularFile.of("etc/passwd", EntryAttributes.of(0644), PASSWD),
                LayerEntry.RegularFile.of("etc/group", EntryAttributes.of(0644), GROUP));
        Digest digest = putLayer(store, entries);
        FsView view = indexed(digest, entries);
        LayerFiles files = new LayerFiles(store, Files.createDirectories(dir.resolve("scratch")));
        byte[] onDisk = "root:x:0:0:root:/home/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
        List<String> asked = new ArrayList<>();
        Map<String, byte[]> read = view.readSmallFiles(List.of("etc/passwd", "etc/group"), files.preferring(path -> {
            asked.add(path);
            return path.equals("etc/passwd") ? Optional.of(onDisk) : Optional.empty();
        }));
        assertEquals(List.of("etc/passwd", "etc/group"), asked);
        assertArrayEquals(onDisk, read.get("etc/passwd"), "the unpacked tree's file, not the blob's");
        assertArrayEquals(GROUP, read.get("etc/group"), "what the tree on disk lacks comes from the blob");
    }
}
