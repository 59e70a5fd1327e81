package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.testing.TestResources;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where COPY and ADD put things and with which owners, checked against what BuildKit's layers hold
 * (dockerfile2llb's {@code dispatchCopy}, the file op's {@code readUser}, fsutil's copier).
 */
class CopyStepTest {

    @TempDir
    Path temp;

    BuildFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(temp.resolve("context"));
        fixture = new BuildFixture(temp.resolve("context"), temp.resolve("store"));
        fixture.file("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n")
                .file("group", "root:x:0:\nstaff:x:50:app\napp:x:1001:\n")
                .file("a.txt", "A\n")
                .file("b.txt", "B\n")
                .file("dir/x", "X\n")
                .file("dir/inner/y.txt", "Y\n");
    }

    private static String owner(LayerEntry entry) {
        return entry.attributes().uid() + ":" + entry.attributes().gid();
    }

    /** --chmod sets files' and directories' modes; a symbolic link keeps 0777, as BuildKit's copy leaves it. */
    @Test
    void chmodLeavesSymbolicLinksAlone() throws Exception {
        Files.createSymbolicLink(fixture.context.resolve("dir/link"), Path.of("x"));
        BuildResult result = fixture.build("FROM scratch\nCOPY --chmod=640 dir /d/\n");
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertEquals(0640, tree.get("d/x").attributes().mode() & 07777);
        assertEquals(0640, tree.get("d/inner").attributes().mode() & 07777);
        assertEquals(0777, tree.get("d/link").attributes().mode() & 07777);
    }

    @Test
    void chownWithoutGroupUsesTheUidAsGidAndUnknownNamesFallBackAsInBuildKit() throws Exception {
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "chownWithoutGroupUsesTheUidAsGidAndUnknownNamesFallBackAsInBuildKit.Dockerfile"));
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertEquals("1234:1234", owner(tree.get("numeric")), "a uid alone is also the gid");
        assertEquals("1234:1234", owner(tree.get("numeric-empty-group")));
        assertEquals("1000:1001", owner(tree.get("name")), "a name alone gets the user's primary group");
        assertEquals("1000:50", owner(tree.get("name-group")));
        assertEquals("1000:4321", owner(tree.get("name-numeric-group")));
        assertEquals("1234:50", owner(tree.get("numeric-name-group")));
        assertEquals("0:0", owner(tree.get("unknown-user")), "BuildKit falls back to 0:0 for a user passwd lacks");
        assertEquals("1234:1234", owner(tree.get("unknown-group")), "an unknown group keeps the user's gid");
        assertEquals("1000:1001", owner(tree.get("name-unknown-group")));
        assertEquals("0:0", owner(tree.get("root-name")));
        assertEquals("1234:1234", owner(tree.get("added")));
        assertEquals("1234:1234", owner(tree.get("heredoc")));
        assertEquals("2345:2345", owner(tree.get("work")), "WORKDIR creates with the USER the way --chown does");
        assertTrue(fixture.warnings.stream().anyMatch(w -> w.contains("ghost")), fixture.warnings.toString());
    }

    @Test
    void chownByNameWorksWithoutPasswdAsInBuildKit() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch
                COPY --chown=nobody:nogroup a.txt /a
                USER nobody
                WORKDIR /work
                """);
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertEquals("0:0", owner(tree.get("a")));
        assertEquals("0:0", owner(tree.get("work")));
    }

    @Test
    void severalSourcesGoIntoAnExistingDirectoryWithoutATrailingSlash() throws Exception {
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "severalSourcesGoIntoAnExistingDirectoryWithoutATrailingSlash.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("A\n", text.get("existing/a.txt"));
        assertEquals("X\n", text.get("existing/x"), "a directory source gives its contents");
        assertEquals("Y\n", text.get("existing/inner/y.txt"));
        assertEquals("B\n", text.get("existing/b.txt"));
        assertEquals("heredoc\n", text.get("existing/EOF"));
        assertEquals("A\n", text.get("app/a.txt"));
        assertInstanceOf(LayerEntry.Directory.class, tree.get("existing"));

        BuildException missing = assertThrows(BuildException.class,
                () -> fixture.build("FROM scratch\nCOPY a.txt dir /missing\n"));
        assertTrue(missing.getMessage().contains("must be a directory and end with a /"), missing.getMessage());
        BuildException file = assertThrows(BuildException.class,
                () -> fixture.build("FROM scratch\nCOPY a.txt /file\nCOPY a.txt b.txt /file\n"));
        assertTrue(file.getMessage().contains("must be a directory and end with a /"), file.getMessage());
    }

    @Test
    void aUrlIsNotACopySourceAsInBuildKit() {
        for (String source : List.of("https://example.com/x.txt", "HTTP://example.com/x.txt",
                "https://github.com/moby/buildkit.git#v0.11.6", "${SITE}/x.txt")) {
            BuildException e = assertThrows(BuildException.class,
                    () -> fixture.build("FROM scratch\nARG SITE=https://example.com\nCOPY a.txt " + source + " /d/\n"));
            assertEquals("source can't be a URL for COPY", e.getMessage(), source);
            assertEquals(3, e.location().startLine(), source);
        }
    }

    @Test
    void sourcesAreCountedAfterWildcardExpansion() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch
                COPY nomatch* a.txt /hello
                COPY nomatch* dir/inner/y.?xt /single
                ADD nomatch* b.txt /added
                """);
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("A\n", text.get("hello"), "one source is left: the destination is the file's name");
        assertEquals("Y\n", text.get("single"));
        assertEquals("B\n", text.get("added"));
        assertInstanceOf(LayerEntry.RegularFile.class, tree.get("hello"));

        BuildException several = assertThrows(BuildException.class,
                () -> fixture.build("FROM scratch\nCOPY *.txt /dst\n"));
        assertTrue(several.getMessage().contains("must be a directory and end with a /"), several.getMessage());
        BuildResult intoExisting = fixture.build("FROM scratch\nCOPY dir /dst/\nCOPY *.txt /dst\n");
        Map<String, String> existing = new HashMap<>();
        fixture.tree(intoExisting, existing);
        assertEquals("A\n", existing.get("dst/a.txt"));
        assertEquals("B\n", existing.get("dst/b.txt"));
    }

    @Test
    void hardLinksAreKeptWithinOneSourceOnly() throws Exception {
        Files.createLink(fixture.context.resolve("linked.txt"), fixture.context.resolve("a.txt"));
        Files.createLink(fixture.context.resolve("dir/inner/linked-x"), fixture.context.resolve("dir/x"));
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "hardLinksAreKeptWithinOneSourceOnly.Dockerfile"));
        Map<String, LayerEntry> copied = new HashMap<>();
        fixture.layers(result).forEach(copied::putAll);
        for (String path : List.of("separate/a.txt", "separate/linked.txt", "glob/a.txt", "glob/linked.txt",
                "mixed/x", "mixed/linked-x", "from-stage/x", "from-stage/linked-x")) {
            assertInstanceOf(LayerEntry.RegularFile.class, copied.get(path),
                    path + ": each source (and each wildcard match) is copied on its own");
        }
        assertEquals(1, linksBetween(copied, "tree/x", "tree/inner/linked-x"), "links within one copied tree stay");
        assertEquals(1, linksBetween(copied, "from-stage-tree/x", "from-stage-tree/inner/linked-x"));
    }

    /**
     * A hard link in the builder's layer is the file it named then: a later COPY over the target's path does
     * not change it, in the copy or in its cache key (which once named the replacement's layer, so a changed
     * original still hit).
     */
    @Test
    void copyFromAStageGivesAHardLinkTheContentItHadWhenItsTargetIsReplacedLater() throws Exception {
        fixture.file("pair/a", "v1\n").file("t2/a", "new\n");
        Files.createLink(fixture.context.resolve("pair/b"), fixture.context.resolve("pair/a"));
        String dockerfile = "FROM scratch AS builder\nCOPY pair/ /p/\nCOPY t2/a /p/a\n"
                + "FROM scratch\nCOPY --from=builder /p/b /b\nCOPY --from=builder /p/ /all/\n";
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(fixture.build(dockerfile), text);
        assertEquals("v1\n", text.get("b"), "the builder's real /p/b");
        assertEquals("new\n", text.get("all/a"));
        assertEquals("v1\n", text.get("all/b"));
        assertInstanceOf(LayerEntry.RegularFile.class, tree.get("all/b"), "no longer a link of /p/a");

        Files.writeString(fixture.context.resolve("pair/a"), "v2\n"); // pair/b too: one inode
        text.clear();
        fixture.tree(fixture.build(dockerfile), text);
        assertFalse(fixture.cachedSteps.contains("COPY --from=builder /p/b /b"), fixture.cachedSteps.toString());
        assertEquals("v2\n", text.get("b"));
    }

    /** How many of the two paths are hard links to the other (1 when they share one inode). */
    private static int linksBetween(Map<String, LayerEntry> entries, String a, String b) {
        int links = 0;
        if (entries.get(a) instanceof LayerEntry.Hardlink link && link.target().equals(b)) {
            links++;
        }
        if (entries.get(b) instanceof LayerEntry.Hardlink link && link.target().equals(a)) {
            links++;
        }
        assertTrue(entries.get(a) instanceof LayerEntry.RegularFile || entries.get(b) instanceof LayerEntry.RegularFile,
                entries.get(a) + " " + entries.get(b));
        return links;
    }

    @Test
    void addCreatesTheArchivesImpliedDirectoriesAsLayerEntries() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            for (String name : List.of("implicit/child.txt", "deep/er/still/leaf.txt", "explicit/", "explicit/in.txt")) {
                TarArchiveEntry entry = new TarArchiveEntry(name);
                byte[] content = name.endsWith("/") ? new byte[0] : name.getBytes();
                if (name.endsWith("/")) {
                    entry.setMode(040700);
                } else {
                    entry.setSize(content.length);
                    entry.setMode(0640);
                }
                entry.setIds(7, 8);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        Files.write(fixture.context.resolve("bundle.tgz"), bytes.toByteArray());
        BuildResult result = fixture.build("""
                FROM scratch
                COPY a.txt /opt/b/deep/
                ADD bundle.tgz /opt/a/
                ADD --chown=1234 bundle.tgz /opt/b/
                """);
        List<Map<String, LayerEntry>> layers = fixture.layers(result);
        Map<String, LayerEntry> plain = layers.get(1);
        for (String dir : List.of("opt/a/implicit", "opt/a/deep", "opt/a/deep/er", "opt/a/deep/er/still")) {
            LayerEntry entry = plain.get(dir);
            assertInstanceOf(LayerEntry.Directory.class, entry, dir + " in " + plain.keySet());
            assertEquals(0755, entry.attributes().mode(), dir);
            assertEquals("0:0", owner(entry), dir);
        }
        assertEquals(0700, plain.get("opt/a/explicit").attributes().mode(), "an archive's own entry keeps its mode");
        assertEquals("7:8", owner(plain.get("opt/a/explicit")));
        assertEquals("0:0", owner(plain.get("opt/a")), "a missing destination is an entry too");
        assertFalse(plain.containsKey("opt"), "the existing /opt is left alone");

        Map<String, LayerEntry> chowned = layers.get(2);
        assertEquals("1234:1234", owner(chowned.get("opt/b/implicit/child.txt")));
        assertEquals("0:0", owner(chowned.get("opt/b/implicit")), "implied directories belong to root, as moby's untar makes them");
        assertFalse(chowned.containsKey("opt/b/deep"), "a directory that exists already is not written again");
        assertInstanceOf(LayerEntry.Directory.class, chowned.get("opt/b/deep/er"));
    }

    /** fsutil's copier: a file never replaces a directory, and a directory goes only into a directory. */
    @Test
    void aCopiedEntryDoesNotReplaceADirectoryAndADirectoryDoesNotReplaceALink() throws Exception {
        fixture.file("e/sub", "a file where the image has a directory\n");
        Files.createDirectories(fixture.context.resolve("l/sub"));
        Files.createSymbolicLink(fixture.context.resolve("l/sub/link"), Path.of("/etc"));
        fixture.file("d/link-to-dir/g", "G\n");
        String base = """
                FROM scratch
                COPY dir/ /data/sub/
                COPY dir/ /opt/real/
                COPY dir/ /l/sub/link/
                """;
        BuildException file = assertThrows(BuildException.class, () -> fixture.build(base + "COPY e /data/\n"));
        assertEquals("cannot replace to directory /data/sub with file", file.getMessage());
        BuildException link = assertThrows(BuildException.class, () -> fixture.build(base + "COPY l/ /l/\n"));
        assertEquals("cannot replace to directory /l/sub/link with file", link.getMessage());
        BuildException heredoc = assertThrows(BuildException.class, () -> fixture.build(base + "COPY <<sub /data/\nx\nsub\n"));
        assertEquals("cannot replace to directory /data/sub with file", heredoc.getMessage());

        Files.createDirectories(fixture.context.resolve("ln"));
        Files.createSymbolicLink(fixture.context.resolve("ln/link-to-dir"), Path.of("/opt/real"));
        BuildException directory = assertThrows(BuildException.class,
                () -> fixture.build(base + "COPY ln/ /\nCOPY d/ /\n"));
        assertEquals("cannot copy to non-directory: /link-to-dir", directory.getMessage());

        // A file over a file or a link, and a directory into a directory, are what COPY is for.
        BuildResult result = fixture.build(base + "COPY dir/ /data/\nCOPY a.txt /data/x\n");
        Map<String, String> text = new HashMap<>();
        fixture.tree(result, text);
        assertEquals("A\n", text.get("data/x"));
        assertEquals("Y\n", text.get("data/inner/y.txt"));
        // With --link nothing of the image is in the way: the layers merge.
        fixture.build(base + "COPY --link e /data/\n");
    }

    /** As BuildKit's ADD: fifos and devices are unpacked, and file capabilities stay on their file. */
    @Test
    void addKeepsAnArchivesFifosDevicesAndFileCapabilities() throws Exception {
        String capability = "\u0001\u0000\u0000\u0002\u0000\u0020\u0000\u0000";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry ping = new TarArchiveEntry("ping");
            ping.setSize(1);
            ping.setMode(0755);
            ping.addPaxHeader("SCHILY.xattr.security.capability", capability);
            ping.addPaxHeader("SCHILY.xattr.user.note", "kept");
            ping.addPaxHeader("SCHILY.xattr.security.selinux", "system_u:object_r:bin_t:s0");
            tar.putArchiveEntry(ping);
            tar.write('p');
            tar.closeArchiveEntry();
            TarArchiveEntry fifo = new TarArchiveEntry("d/fifo", TarArchiveEntry.LF_FIFO);
            fifo.setMode(0600);
            tar.putArchiveEntry(fifo);
            tar.closeArchiveEntry();
            TarArchiveEntry device = new TarArchiveEntry("d/null", TarArchiveEntry.LF_CHR);
            device.setMode(0666);
            device.setDevMajor(1);
            device.setDevMinor(3);
            tar.putArchiveEntry(device);
            tar.closeArchiveEntry();
        }
        Files.write(fixture.context.resolve("special.tar"), bytes.toByteArray());
        BuildResult result = fixture.build("FROM scratch\nADD special.tar /x/\n");
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        Map<String, byte[]> xattrs = tree.get("x/ping").attributes().xattrs();
        assertEquals(List.of("security.capability", "user.note"), List.copyOf(xattrs.keySet()),
                "the host's SELinux label is not part of the image");
        assertEquals(capability, new String(xattrs.get("security.capability"), java.nio.charset.StandardCharsets.ISO_8859_1));
        assertInstanceOf(LayerEntry.Fifo.class, tree.get("x/d/fifo"));
        LayerEntry.Device device = assertInstanceOf(LayerEntry.Device.class, tree.get("x/d/null"));
        assertEquals(List.of(1, 3), List.of(device.major(), device.minor()));
    }

    /** A hostile archive is refused at its ADD, naming it, instead of making a layer that fails a later RUN. */
    @Test
    void addRefusesAnArchiveEntryThroughItsOwnLinkAndAHardLinkToNothing() throws Exception {
        Files.write(fixture.context.resolve("through-link.tar"), tar(List.of(
                new TarArchiveEntry("lnk", TarArchiveEntry.LF_SYMLINK), new TarArchiveEntry("lnk/through"))));
        BuildException link = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nADD through-link.tar /dst/\n"));
        assertEquals("ADD failed: cannot unpack /through-link.tar: lnk/through goes through the archive's symbolic link lnk",
                link.getMessage());
        assertEquals(2, link.location().startLine());

        TarArchiveEntry hardLink = new TarArchiveEntry("hl", TarArchiveEntry.LF_LINK);
        hardLink.setLinkName("../../../../etc/shadow");
        Files.write(fixture.context.resolve("hard-link.tar"), tar(List.of(hardLink)));
        BuildException hard = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nADD hard-link.tar /dst/\n"));
        assertEquals("ADD failed: cannot unpack /hard-link.tar: hard link hl points to etc/shadow, which is not a file the archive"
                + " holds before it", hard.getMessage());
    }

    /** A plain tar of {@code entries}: symlinks point at /elsewhere, files hold one byte. */
    private static byte[] tar(List<TarArchiveEntry> entries) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (TarArchiveEntry entry : entries) {
                boolean file = !entry.isSymbolicLink() && !entry.isLink() && !entry.isDirectory();
                if (entry.isSymbolicLink()) {
                    entry.setLinkName("/elsewhere");
                } else if (file) {
                    entry.setSize(1);
                }
                tar.putArchiveEntry(entry);
                if (file) {
                    tar.write('x');
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void missingParentsOfTheDestinationGetTheChownOwner() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            TarArchiveEntry entry = new TarArchiveEntry("f.txt");
            entry.setSize(1);
            tar.putArchiveEntry(entry);
            tar.write('f');
            tar.closeArchiveEntry();
        }
        Files.write(fixture.context.resolve("bundle.tgz"), bytes.toByteArray());
        Files.setPosixFilePermissions(fixture.context.resolve("dir/inner"), PosixFilePermissions.fromString("rwxr-x---"));
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "missingParentsOfTheDestinationGetTheChownOwner.Dockerfile"));
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertEquals("0:0", owner(tree.get("path")), "an existing directory keeps its owner");
        assertEquals("1001:1001", owner(tree.get("path/to")));
        assertEquals("1001:1001", owner(tree.get("path/to/dest")));
        assertEquals("1000:1001", owner(tree.get("tree")));
        assertEquals("1000:1001", owner(tree.get("tree/of")));
        assertEquals("1000:1001", owner(tree.get("tree/of/dir")));
        assertEquals("1000:1001", owner(tree.get("tree/of/dir/inner")));
        assertEquals("1002:1002", owner(tree.get("from")));
        assertEquals("1002:1002", owner(tree.get("from/stage")));
        assertEquals("1003:1003", owner(tree.get("archive")));
        assertEquals("1003:1003", owner(tree.get("archive/into")));
        assertEquals("1004:1004", owner(tree.get("here")));
        assertEquals("1004:1004", owner(tree.get("here/doc")));
        assertEquals("1005:1005", owner(tree.get("parents")));
        assertEquals("1005:1005", owner(tree.get("parents/root")));
        assertEquals("1005:1005", owner(tree.get("parents/root/inner")));
        assertEquals(0750, tree.get("parents/root/inner").attributes().mode(), "--parents keeps the source directory's mode");
        assertEquals(0755, tree.get("parents/root").attributes().mode());
        assertEquals("1000:1001", owner(tree.get("workdir")));
        assertEquals("1000:1001", owner(tree.get("workdir/nested")));
    }

    @Test
    void copyFromAStageResolvesLinksThatClimbInsideTheStage() throws Exception {
        Files.createDirectories(fixture.context.resolve("tree/a/b"));
        Files.writeString(fixture.context.resolve("tree/top.txt"), "TOP\n");
        Files.createSymbolicLink(fixture.context.resolve("tree/a/up"), Path.of(".."));
        Files.createSymbolicLink(fixture.context.resolve("tree/a/b/far"), Path.of("../../../../.."));
        Files.createSymbolicLink(fixture.context.resolve("tree/loop"), Path.of("loop"));
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "copyFromAStageResolvesLinksThatClimbInsideTheStage.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("TOP\n", text.get("via-up"));
        assertEquals("TOP\n", text.get("via-far"), "'..' at the root stays at the root");
        assertEquals("TOP\n", text.get("twice"));
        assertEquals("TOP\n", text.get("whole/top.txt"), "a link to the root copies the root's contents");
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("whole/a/up"));
        assertEquals("TOP\n", text.get("wild/top.txt"));
        assertEquals("A\n", text.get("through-link"), "a destination through the link is written at the root");
        assertEquals("B\n", text.get("b.txt"));
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("a/up"));

        BuildException loop = assertThrows(BuildException.class,
                () -> fixture.build("FROM scratch AS stage\nCOPY tree /\nFROM scratch\nCOPY --from=stage /loop/x /x\n"));
        assertTrue(loop.getMessage().contains("too many levels of symbolic links"), loop.getMessage());
    }

    /**
     * Destinations are resolved as BuildKit's file op resolves them (containerd's fs.RootPath): the
     * last component too, so a link to a file is written through, a dangling link (in the last
     * component or on the way) leads to the path its target names, WORKDIR creates a link's target,
     * and a file where a directory must be fails as MkdirAll does.
     */
    @Test
    void destinationsFollowLinksInEveryComponentAsBuildKitDoes() throws Exception {
        Files.createDirectories(fixture.context.resolve("tree/etc"));
        Files.writeString(fixture.context.resolve("tree/etc/target.txt"), "OLD\n");
        Files.createSymbolicLink(fixture.context.resolve("tree/tofile"), Path.of("/etc/target.txt"));
        Files.createSymbolicLink(fixture.context.resolve("tree/dangling"), Path.of("/made/here"));
        Files.createSymbolicLink(fixture.context.resolve("tree/dl"), Path.of("../x"));
        Files.createSymbolicLink(fixture.context.resolve("tree/wd"), Path.of("/real/dir"));
        Files.createSymbolicLink(fixture.context.resolve("tree/wdabove"), Path.of("elsewhere"));
        BuildResult result = fixture.build(TestResources.text(CopyStepTest.class, "destinationsFollowLinksInEveryComponentAsBuildKitDoes.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("A\n", text.get("etc/target.txt"), "a link to a file is written through");
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("tofile"));
        assertEquals("B\n", text.get("made/here"), "a dangling link leads to its target");
        assertInstanceOf(LayerEntry.Directory.class, tree.get("made"));
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("dangling"));
        assertEquals("A\n", text.get("x/sub/f"), "a dangling link on the way too");
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("dl"));
        assertInstanceOf(LayerEntry.Directory.class, tree.get("real/dir"), "WORKDIR makes the link's target");
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("wd"));
        assertInstanceOf(LayerEntry.Directory.class, tree.get("elsewhere/sub"));
        assertInstanceOf(LayerEntry.Symlink.class, tree.get("wdabove"));

        for (String step : List.of("WORKDIR /tofile", "WORKDIR /tofile/below", "COPY a.txt /tofile/", "COPY a.txt /etc/target.txt/x")) {
            BuildException e = assertThrows(BuildException.class,
                    () -> fixture.build("FROM scratch AS stage\nCOPY tree /\nFROM stage\n" + step + "\n"), step);
            assertTrue(e.getMessage().contains("/etc/target.txt: not a directory"), e.getMessage());
        }
    }
}
