package dev.jbuild.context;

import static dev.jbuild.context.TestTrees.dir;
import static dev.jbuild.context.TestTrees.file;
import static dev.jbuild.context.TestTrees.link;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTreeTest {

    @TempDir
    Path tmp;

    private Path ctx() throws IOException {
        return dir(tmp, "ctx");
    }

    @Test
    void readsModeIncludingSetuidSizeTimeAndOwner() throws Exception {
        Path ctx = ctx();
        Path tool = file(ctx, "bin/tool", "#!/bin/sh\n");
        Files.setAttribute(tool, "unix:mode", 04755);
        Files.setAttribute(ctx.resolve("bin"), "unix:mode", 01750);
        Instant mtime = Instant.parse("2001-02-03T04:05:06.123456789Z");
        Files.setLastModifiedTime(tool, FileTime.from(mtime));

        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());
        SourceFile f = tree.lookup("bin/tool").orElseThrow();
        assertEquals("/bin/tool", f.path());
        assertEquals(FileKind.FILE, f.kind());
        assertEquals(04755, f.mode());
        assertEquals(10, f.size());
        assertEquals(mtime, f.mtime());
        assertEquals(((Integer) Files.getAttribute(tool, "unix:uid")).longValue(), f.uid());
        assertEquals(((Integer) Files.getAttribute(tool, "unix:gid")).longValue(), f.gid());
        assertNull(f.linkTarget());
        assertEquals("tool", f.name());

        SourceFile d = tree.lookup("/bin").orElseThrow();
        assertEquals(FileKind.DIRECTORY, d.kind());
        assertEquals(01750, d.mode());
        assertEquals(0, d.size());
    }

    @Test
    void symlinkKeepsItsTargetTextAndIsNotFollowedByLookup() throws Exception {
        Path ctx = ctx();
        file(ctx, "a.txt", "a");
        link(ctx, "rel", "a.txt");
        link(ctx, "abs", "/a.txt");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        SourceFile rel = tree.lookup("rel").orElseThrow();
        assertEquals(FileKind.SYMLINK, rel.kind());
        assertEquals("a.txt", rel.linkTarget());
        assertEquals("/a.txt", tree.lookup("abs").orElseThrow().linkTarget());

        assertEquals("/a.txt", tree.resolve("rel").orElseThrow().path());
        assertEquals("/a.txt", tree.resolve("abs").orElseThrow().path());
        assertEquals(FileKind.FILE, tree.resolve("abs").orElseThrow().kind());
    }

    @Test
    void hardLinksShareTheirFileKey() throws Exception {
        Path ctx = ctx();
        Path one = file(ctx, "one", "x");
        Files.createLink(dir(ctx, "sub").resolve("two"), one);
        file(ctx, "other", "x");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        Object k1 = tree.lookup("one").orElseThrow().fileKey();
        assertNotNull(k1);
        assertEquals(k1, tree.lookup("sub/two").orElseThrow().fileKey());
        assertNotEquals(k1, tree.lookup("other").orElseThrow().fileKey());
    }

    @Test
    void readsUserXattrsWhereTheFilesystemHasThem() throws Exception {
        Path ctx = ctx();
        Path f = file(ctx, "f", "x");
        boolean supported;
        try {
            Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
                    .write("jbuild.test", ByteBuffer.wrap("v1".getBytes(StandardCharsets.UTF_8)));
            supported = true;
        } catch (IOException | UnsupportedOperationException e) {
            supported = false;
        }
        Map<String, byte[]> xattrs = BuildContexts.directory(ctx, DockerIgnore.none())
                .lookup("f").orElseThrow().xattrs();
        if (supported) {
            assertEquals("v1", new String(xattrs.get("user.jbuild.test"), StandardCharsets.UTF_8));
        } else {
            assertTrue(xattrs.isEmpty());
        }
    }

    @Test
    void intermediateLinksResolveInsideTheRoot() throws Exception {
        Path ctx = ctx();
        file(ctx, "real/f.txt", "inside");
        link(ctx, "rel", "real");
        link(ctx, "abs", "/real");
        link(ctx, "up", "../../../../../real"); // ".." stops at the tree root
        link(ctx, "chain", "rel");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        for (String via : List.of("rel", "abs", "up", "chain")) {
            SourceFile f = tree.lookup(via + "/f.txt").orElseThrow(() -> new AssertionError(via));
            assertEquals("/real/f.txt", f.path(), via);
            assertEquals("inside", TestTrees.read(tree, f), via);
        }
        // the last element of a lookup is not followed, even after links on the way
        assertEquals(FileKind.SYMLINK, tree.lookup("chain").orElseThrow().kind());
        assertEquals("/real", tree.resolve("chain").orElseThrow().path());
    }

    @Test
    void linksPointingOutOfTheContextNeverReachTheHost() throws Exception {
        Path outside = dir(tmp, "outside");
        file(outside, "secret.txt", "host secret");
        Path ctx = ctx();
        link(ctx, "hostdir", outside.toString());
        link(ctx, "hostfile", outside.resolve("secret.txt").toString());
        link(ctx, "climb", "../outside/secret.txt");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        assertTrue(tree.lookup("hostdir/secret.txt").isEmpty());
        assertTrue(tree.resolve("hostfile").isEmpty());
        assertTrue(tree.resolve("climb").isEmpty());
        assertThrows(NoSuchFileException.class, () -> tree.list("hostdir"));

        // a file at the in-tree location of the escaping target is what the link means
        file(ctx, "outside/secret.txt", "context file");
        SourceFile f = tree.resolve("climb").orElseThrow();
        assertEquals("/outside/secret.txt", f.path());
        assertEquals("context file", TestTrees.read(tree, f));
    }

    @Test
    void symlinkLoopsFail() throws Exception {
        Path ctx = ctx();
        link(ctx, "a", "b");
        link(ctx, "b", "a");
        link(ctx, "self", "self/x");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        FileSystemException e = assertThrows(FileSystemException.class, () -> tree.resolve("a"));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
        assertThrows(FileSystemException.class, () -> tree.lookup("a/x"));
        assertThrows(FileSystemException.class, () -> tree.resolve("self"));
        assertEquals(FileKind.SYMLINK, tree.lookup("a").orElseThrow().kind());
    }

    @Test
    void pathsAreCleanedAndNeverClimbAboveTheRoot() throws Exception {
        Path ctx = ctx();
        file(ctx, "a.txt", "a");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        for (String p : List.of("a.txt", "/a.txt", "./a.txt", "../a.txt", "x/../a.txt", "/../../a.txt", "//a.txt/")) {
            assertEquals("/a.txt", tree.lookup(p).orElseThrow(() -> new AssertionError(p)).path(), p);
        }
        assertEquals("/", tree.lookup("").orElseThrow().path());
        assertEquals(FileKind.DIRECTORY, tree.lookup("..").orElseThrow().kind());
        assertTrue(tree.lookup("a.txt/x").isEmpty(), "a file has no entries");
        assertTrue(tree.lookup("missing/x").isEmpty());
    }

    @Test
    void listsSortedByCodePoint() throws Exception {
        Path ctx = ctx();
        for (String name : List.of("b", "a", "B", "é", "z", "\uD83D\uDE00", "\uFF21")) {
            file(ctx, "d/" + name, name);
        }
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());
        List<String> names = tree.list("d").stream().map(SourceFile::name).collect(Collectors.toList());
        // U+1F600 sorts after U+FF21 by code point (UTF-8 bytes), unlike UTF-16 order
        assertEquals(List.of("B", "a", "b", "z", "é", "\uFF21", "\uD83D\uDE00"), names);
        assertEquals("/d/a", tree.list("/d/").get(1).path());

        assertThrows(NotDirectoryException.class, () -> tree.list("d/a"));
        assertThrows(NoSuchFileException.class, () -> tree.list("nope"));
    }

    @Test
    void listFollowsALinkToADirectory() throws Exception {
        Path ctx = ctx();
        file(ctx, "real/f", "x");
        link(ctx, "l", "real");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());
        assertEquals(List.of("/real/f"), tree.list("l").stream().map(SourceFile::path).collect(Collectors.toList()));
    }

    @Test
    void ignoredEntriesAreAbsentButParentsOfReincludedOnesStay() throws Exception {
        Path ctx = ctx();
        file(ctx, "keep.txt", "k");
        file(ctx, "notes.md", "n");
        file(ctx, "build/out.bin", "o");
        file(ctx, "build/keep/me.txt", "m");
        file(ctx, "build/other/x", "x");
        file(ctx, "node_modules/pkg/index.js", "i");
        DockerIgnore ignore = DockerIgnore.parse("*.md\nbuild\n!build/keep\nnode_modules\n");
        SourceTree tree = BuildContexts.directory(ctx, ignore);

        assertEquals(List.of("build", "keep.txt"), names(tree.list("/")));
        assertEquals(List.of("keep"), names(tree.list("build")));
        assertEquals(List.of("me.txt"), names(tree.list("build/keep")));
        assertTrue(tree.lookup("notes.md").isEmpty());
        assertTrue(tree.lookup("build/out.bin").isEmpty());
        assertTrue(tree.lookup("build/other").isEmpty());
        assertTrue(tree.lookup("node_modules/pkg/index.js").isEmpty());
        assertEquals("m", TestTrees.read(tree, tree.lookup("build/keep/me.txt").orElseThrow()));
    }

    @Test
    void linksCannotReachIgnoredFiles() throws Exception {
        Path ctx = ctx();
        file(ctx, "secret.env", "TOKEN=1");
        link(ctx, "innocent", "secret.env");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.parse("*.env"));
        assertTrue(tree.resolve("innocent").isEmpty());
        assertEquals(FileKind.SYMLINK, tree.lookup("innocent").orElseThrow().kind());

        // a SourceFile made up by a caller for an ignored path cannot be opened either
        SourceFile unfiltered = BuildContexts.directory(ctx, DockerIgnore.none()).lookup("secret.env").orElseThrow();
        assertThrows(NoSuchFileException.class, () -> tree.open(unfiltered));
    }

    @Test
    void openRefusesDirectoriesAndLinks() throws Exception {
        Path ctx = ctx();
        file(ctx, "d/f", "x");
        link(ctx, "l", "d/f");
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());
        assertThrows(NoSuchFileException.class, () -> tree.open(tree.lookup("d").orElseThrow()));
        assertThrows(NoSuchFileException.class, () -> tree.open(tree.lookup("l").orElseThrow()));
        assertEquals("x", TestTrees.read(tree, tree.resolve("l").orElseThrow()));
    }

    @Test
    void contextMustBeADirectory() throws Exception {
        Path f = file(tmp, "plain", "x");
        assertThrows(NotDirectoryException.class, () -> BuildContexts.directory(f, DockerIgnore.none()));
        assertThrows(NoSuchFileException.class, () -> BuildContexts.directory(tmp.resolve("nope"), DockerIgnore.none()));
        assertFalse(Files.exists(tmp.resolve("nope"), LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> names(List<SourceFile> files) {
        return files.stream().map(SourceFile::name).collect(Collectors.toList());
    }

    @Integration
    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fifosAndSocketsAreListedWithoutBeingOpened() throws Exception {
        Path ctx = ctx();
        ExternalTool.command("mkfifo", ctx.resolve("pipe").toString()).runSuccessfully();
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(ctx.resolve("socket")));
        }
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.none());

        Map<String, FileKind> kinds = tree.list("/").stream().collect(Collectors.toMap(SourceFile::name, SourceFile::kind));
        assertEquals(Map.of("pipe", FileKind.FIFO, "socket", FileKind.SOCKET), kinds);
        assertEquals(FileKind.FIFO, tree.resolve("pipe").orElseThrow().kind());
        assertNull(tree.lookup("pipe").orElseThrow().device());
        assertThrows(NoSuchFileException.class, () -> tree.open(tree.lookup("pipe").orElseThrow()));
    }

    @Integration
    @Test
    void namesThatAreNotUtf8KeepTheirBytes() throws Exception {
        Path ctx = ctx();
        // "bad\xff\xfeutf8", and a link to "bad\xff\xfeutf8", made by the shell so Java's mapping plays no part
        ExternalTool.command("sh", "-c", "mkdir d; printf content > \"d/$(printf 'bad\\377\\376utf8')\";"
                + " ln -s \"$(printf 'd/bad\\377\\376utf8')\" link").directory(ctx).runSuccessfully();
        String bad = "bad\uDCFF\uDCFEutf8";
        SourceTree tree = BuildContexts.directory(ctx, DockerIgnore.of(List.of("d/bad?")));

        assertEquals(List.of("/d/" + bad), tree.list("/d").stream().map(SourceFile::path).toList());
        SourceFile file = tree.resolve("link").orElseThrow();
        assertEquals("/d/" + bad, file.path());
        assertEquals("d/" + bad, tree.lookup("link").orElseThrow().linkTarget());
        try (var in = tree.open(file)) {
            assertEquals("content", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        // Patterns match escaped bytes as Go matches bytes that are not UTF-8: one '?' or '*' each.
        SourceTree ignoring = BuildContexts.directory(ctx, DockerIgnore.of(List.of("d/bad??utf8")));
        assertEquals(List.of(), ignoring.list("/d"));
    }
}
