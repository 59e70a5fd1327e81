package dev.jbuild.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import java.nio.file.FileSystemException;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Path resolution in a stage's file index: securejoin semantics, as in the rest of jbuild. */
class FsViewTest {

    private final FsView view = new FsView();

    @BeforeEach
    void setUp() {
        view.beginLayer();
        view.apply(new LayerEntry.Directory("a/b", EntryAttributes.of(0755)), null);
        view.apply(LayerEntry.RegularFile.of("top.txt", EntryAttributes.of(0644), new byte[0]), null);
        view.apply(LayerEntry.RegularFile.of("a/b/in.txt", EntryAttributes.of(0644), new byte[0]), null);
        view.apply(new LayerEntry.Symlink("a/up", EntryAttributes.of(0777), ".."), null);
        view.apply(new LayerEntry.Symlink("a/b/far", EntryAttributes.of(0777), "../../../../.."), null);
        view.apply(new LayerEntry.Symlink("a/b/sibling", EntryAttributes.of(0777), "../b/in.txt"), null);
        view.apply(new LayerEntry.Symlink("a/abs", EntryAttributes.of(0777), "/a/b"), null);
        view.apply(new LayerEntry.Symlink("a/updir", EntryAttributes.of(0777), "b/.."), null);
        view.apply(new LayerEntry.Symlink("loop", EntryAttributes.of(0777), "loop"), null);
        view.apply(new LayerEntry.Symlink("ping", EntryAttributes.of(0777), "pong/x"), null);
        view.apply(new LayerEntry.Symlink("pong", EntryAttributes.of(0777), "ping/y"), null);
    }

    private Optional<String> followed(String path) throws Exception {
        return view.follow(path).map(FsView.Node::path);
    }

    @Test
    void linksThatClimbResolveInsideTheTree() throws Exception {
        assertTrue(view.isDirectory("a/up"), "a/up -> .. is the root");
        assertTrue(view.isDirectory("a/b/far"), "'..' at the root stays at the root");
        assertEquals(Optional.of(""), view.locate("a/up", true));
        assertEquals(Optional.of("a/up"), view.locate("a/up", false));
        assertEquals(Optional.of("top.txt"), followed("a/up/top.txt"));
        assertEquals(Optional.of("top.txt"), followed("a/b/far/top.txt"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/up/a/up/a/b/in.txt"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/b/sibling"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/abs/in.txt"));
        assertEquals(Optional.of("a"), followed("a/updir"), "'..' in a target applies to the resolved path");
        assertEquals(Optional.of("a"), view.lookup("a/b/..").map(FsView.Node::path), "'..' in the path is lexical");
        assertEquals(Optional.of("a/b"), view.lookup("a/up/a/b/in.txt/..").map(FsView.Node::path));
        assertFalse(view.isDirectory("a/b/in.txt"));
        assertEquals(Optional.empty(), view.follow("a/missing/x"));
        assertEquals(Optional.empty(), view.follow("top.txt/x"), "a file has no entries");
    }

    @Test
    void writingThroughAPathResolvesTheExistingDirectoriesAndKeepsTheRest() throws Exception {
        assertEquals("new", view.resolveParents("a/up/new"));
        assertEquals("a/b/new/deeper", view.resolveParents("a/abs/new/deeper"));
        assertEquals("a/b/far", view.resolveParents("a/b/far"), "the last element is not followed");
        assertEquals("a/new", view.resolveParents("a/new"));
    }

    @Test
    void loopsAreAnError() {
        FileSystemException loop = assertThrows(FileSystemException.class, () -> view.follow("loop"));
        assertTrue(loop.getMessage().contains("too many levels of symbolic links"), loop.getMessage());
        assertThrows(FileSystemException.class, () -> view.isDirectory("loop/x"));
        assertThrows(FileSystemException.class, () -> view.lookup("ping/z"));
        assertThrows(FileSystemException.class, () -> view.resolveParents("loop/x"));
    }
}
