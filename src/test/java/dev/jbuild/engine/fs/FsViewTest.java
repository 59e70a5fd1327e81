package dev.jbuild.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.RootedResolver;
import dev.jbuild.layer.TooManyLinksException;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Path resolution in a stage's file index: {@link RootedResolver}'s, as in the rest of jbuild. */
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
        return view.locate(path, true).map(RootedResolver.Resolved::path);
    }

    private Optional<String> found(String path) throws Exception {
        return view.locate(path, false).map(RootedResolver.Resolved::path);
    }

    @Test
    void linksThatClimbResolveInsideTheTree() throws Exception {
        assertTrue(view.isDirectory("a/up"), "a/up -> .. is the root");
        assertTrue(view.isDirectory("a/b/far"), "'..' at the root stays at the root");
        assertEquals(Optional.of(""), followed("a/up"));
        assertEquals(Optional.of("a/up"), found("a/up"));
        assertEquals(Optional.of("top.txt"), followed("a/up/top.txt"));
        assertEquals(Optional.of("top.txt"), followed("a/b/far/top.txt"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/up/a/up/a/b/in.txt"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/b/sibling"));
        assertEquals(Optional.of("a/b/in.txt"), followed("a/abs/in.txt"));
        assertEquals(Optional.of("a"), followed("a/updir"), "'..' in a target applies to the resolved path");
        assertEquals(Optional.of("a"), found("a/b/.."), "'..' in the path is lexical");
        assertEquals(Optional.of("a/b"), found("a/up/a/b/in.txt/.."));
        assertFalse(view.isDirectory("a/b/in.txt"));
        assertEquals(Optional.empty(), followed("a/missing/x"));
        assertEquals(Optional.empty(), followed("top.txt/x"), "a file has no entries");
    }

    /** Issue 16: the view answered "nothing there" for a link to the root and for a path that cleans to a directory. */
    @Test
    void aLinkToTheRootIsTheRootDirectory() throws Exception {
        RootedResolver.Resolved up = view.locate("a/up", true).orElseThrow(() -> new AssertionError("a/up -> .. is empty"));
        assertEquals("", up.path());
        assertTrue(up.isDirectory());
        assertTrue(view.isDirectory("a/up"));
        assertTrue(view.isDirectory("a/up/"));
        RootedResolver.Resolved link = view.locate("a/up", false).orElseThrow();
        assertInstanceOf(RootedResolver.Entry.Symlink.class, link.entry());
        assertEquals(Optional.of("a"), found("a/b/.."));
        assertTrue(view.isDirectory("a/b/.."));
        assertEquals("", view.writePath("a/up"), "writing through a/up writes at the root");
    }

    @Test
    void writingThroughAPathResolvesEveryExistingComponentAndKeepsTheRest() throws Exception {
        assertEquals("new", view.writePath("a/up/new"));
        assertEquals("a/b/new/deeper", view.writePath("a/abs/new/deeper"));
        assertEquals("", view.writePath("a/b/far"), "the last element is followed, as fs.RootPath does");
        assertEquals("a/b/in.txt", view.writePath("a/b/sibling"), "a link to a file is written through");
        assertEquals("a/new", view.writePath("a/new"));
    }

    @Test
    void loopsAreAnError() {
        TooManyLinksException loop = assertThrows(TooManyLinksException.class, () -> view.locate("loop", true));
        assertEquals("/loop: too many levels of symbolic links", loop.getMessage());
        assertThrows(TooManyLinksException.class, () -> view.isDirectory("loop/x"));
        assertThrows(TooManyLinksException.class, () -> view.locate("ping/z", false));
        assertThrows(TooManyLinksException.class, () -> view.writePath("loop/x"));
    }
}
