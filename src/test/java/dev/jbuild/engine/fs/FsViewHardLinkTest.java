package dev.jbuild.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.context.SourceFile;
import dev.jbuild.image.Digest;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hard link in a layer is the file it named when the layer was applied, as on disk after extraction:
 * a later layer that replaces or removes the target's path does not change the link's bytes, size or
 * content id, and the link no longer groups with whatever stands at that path now.
 */
class FsViewHardLinkTest {

    @TempDir
    Path dir;

    Store store;
    FsView view;
    LayerFiles files;

    @BeforeEach
    void setUp() throws Exception {
        store = Store.open(dir.resolve("store"));
        view = new FsView();
        files = new LayerFiles(store, Files.createDirectories(dir.resolve("scratch")));
    }

    /** Writes {@code entries} as a layer blob and applies it to the view, as a stage does. */
    private Digest layer(LayerEntry... entries) throws Exception {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        new LayerWriter(LayerWriter.Options.defaults()).write(List.of(entries), blob);
        Digest digest = store.putBytes(blob.toByteArray());
        view.beginLayer();
        for (LayerEntry e : entries) {
            view.apply(e, e instanceof LayerEntry.RegularFile ? new FsView.Content.InLayer(digest, e.path()) : null);
        }
        return digest;
    }

    private static LayerEntry file(String path, String text) {
        return LayerEntry.RegularFile.of(path, EntryAttributes.of(0644), text.getBytes(StandardCharsets.UTF_8));
    }

    private static LayerEntry link(String path, String target) {
        return new LayerEntry.Hardlink(path, EntryAttributes.of(0644), target);
    }

    private static String read(FsViewTree tree, SourceFile file) throws Exception {
        try (InputStream in = tree.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLinkKeepsItsContentWhenALaterLayerReplacesTheTargetsPath() throws Exception {
        Digest first = layer(new LayerEntry.Directory("p", EntryAttributes.of(0755)), file("p/a", "v1"), link("p/b", "p/a"));
        Digest second = layer(file("p/a", "new!"));
        FsViewTree tree = new FsViewTree(view, files);

        SourceFile b = tree.lookup("/p/b").orElseThrow();
        SourceFile a = tree.lookup("/p/a").orElseThrow();
        tree.prefetch(List.of(a, b));
        assertEquals("v1", read(tree, b));
        assertEquals(2, b.size(), "the size of the file it names, not of the file at p/a now");
        assertEquals("new!", read(tree, a));
        assertEquals("layer " + first + " p/a", tree.contentId(b), "the key names the bytes the link has");
        assertEquals("layer " + second + " p/a", tree.contentId(a));
        assertNotEquals(a.fileKey(), b.fileKey(), "no longer hard links of each other");
    }

    @Test
    void aLinkKeepsItsContentWhenALaterLayerRemovesTheTarget() throws Exception {
        Digest first = layer(file("a", "v1"), link("b", "a"));
        layer(new LayerEntry.Whiteout("a", EntryAttributes.of(0)));
        FsViewTree tree = new FsViewTree(view, files);

        assertTrue(tree.lookup("/a").isEmpty());
        SourceFile b = tree.lookup("/b").orElseThrow();
        assertTrue(b.isRegularFile());
        assertEquals("v1", read(tree, b));
        assertEquals("layer " + first + " a", tree.contentId(b));
        Map<String, byte[]> small = view.readSmallFiles(List.of("b"), files);
        assertEquals("v1", new String(small.get("b"), StandardCharsets.UTF_8), "small files read through links too");
    }

    @Test
    void linksOfOneFileStayOneInodeAndALinkToALinkJoinsThem() throws Exception {
        Digest digest = layer(file("a", "v1"), link("b", "a"), link("c", "b"));
        FsViewTree tree = new FsViewTree(view, files);
        SourceFile a = tree.lookup("/a").orElseThrow();
        SourceFile b = tree.lookup("/b").orElseThrow();
        SourceFile c = tree.lookup("/c").orElseThrow();
        assertSame(a.fileKey(), b.fileKey());
        assertSame(a.fileKey(), c.fileKey());
        tree.prefetch(List.of(a, b, c));
        assertEquals("v1", read(tree, a));
        assertEquals("v1", read(tree, b), "a file and its links share one content: each path gets it");
        assertEquals("v1", read(tree, c));
        assertEquals("layer " + digest + " a", tree.contentId(c));

        layer(link("d", "a")); // a link of a lower layer's file is the same inode
        assertSame(a.fileKey(), new FsViewTree(view, files).lookup("/d").orElseThrow().fileKey());
        layer(file("e", "v1"));
        assertNotSame(a.fileKey(), new FsViewTree(view, files).lookup("/e").orElseThrow().fileKey());
    }
}
