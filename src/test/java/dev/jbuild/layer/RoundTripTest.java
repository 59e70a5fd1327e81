package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RoundTripTest {
    private static final Instant T = Instant.ofEpochSecond(1_650_000_000);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final boolean ROOT = SpecialFiles.runningAsRoot();

    @TempDir
    Path tmp;

    static final String LONG_150 = "long/" + "a".repeat(145);
    static final String LONG_300 = "long/" + "b".repeat(200) + "/" + "c".repeat(94);
    static final byte[] USER_XATTR = {0, 1, 2, (byte) 0xff, '\n', '='};

    static List<LayerEntry> sampleEntries() {
        return List.of(
                dir("bin", 0755),
                file("bin/su", 04755, "setuid"),
                file("bin/wall", 02755, "setgid"),
                dir("tmp", 01777),
                dir("empty-dir", 0700),
                file("empty-file", 0600, ""),
                file("readonly", 0444, "ro"),
                new LayerEntry.Symlink("rel-link", attrs(0777), "bin/su"),
                new LayerEntry.Symlink("abs-link", attrs(0777), "/bin/wall"),
                new LayerEntry.Symlink("dangling", attrs(0777), "/nowhere/at/all"),
                new LayerEntry.Hardlink("hard-su", attrs(04755), "bin/su"),
                dir("long", 0755),
                file(LONG_150, 0644, "150"),
                dir(LayerPaths.parent(LONG_300), 0755),
                file(LONG_300, 0644, "300"),
                new LayerEntry.RegularFile("owned", new EntryAttributes(0640, 3_000_000, 3_000_000, T, Map.of()),
                        1, ContentSource.of("o".getBytes())),
                new LayerEntry.RegularFile("xattr-file", attrs(0644).withXattrs(Map.of("user.blob", USER_XATTR,
                        "security.capability", LayerWriterTest.CAPABILITY)), 1, ContentSource.of("x".getBytes())),
                new LayerEntry.Fifo("pipe", attrs(0600)),
                dir("ro-dir", 0555),
                file("ro-dir/inside", 0644, "in a read-only dir"));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void writeThenExtractReproducesTheTree(Compression compression) throws IOException {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        LayerResult written = new LayerWriter(LayerWriter.Options.defaults().withCompression(compression)
                .withThreads(2)).write(sampleEntries(), blob);
        Path root = Files.createDirectory(tmp.resolve("root"));

        ExtractResult result = new LayerExtractor().extract(new ByteArrayInputStream(blob.toByteArray()), root,
                LayerExtractor.Options.defaults().withExpectedDigest(written.digest())
                        .withExpectedDiffId(written.diffId()));

        assertEquals(written.digest(), result.digest());
        assertEquals(written.diffId(), result.diffId());
        assertEquals(compression, result.compression());
        assertEquals(written.compressedSize(), result.compressedSize());
        assertEquals(written.uncompressedSize(), result.uncompressedSize());
        assertEquals(sampleEntries().size(), result.entries());

        assertMode(root.resolve("bin/su"), 04755);
        assertMode(root.resolve("bin/wall"), ROOT ? 02755 : -1); // setgid survives chmod only for our own group
        assertMode(root.resolve("tmp"), 01777);
        assertMode(root.resolve("empty-dir"), 0700);
        assertMode(root.resolve("readonly"), 0444);
        assertMode(root.resolve("ro-dir"), 0555);
        assertEquals("setuid", Files.readString(root.resolve("bin/su")));
        assertEquals(0, Files.size(root.resolve("empty-file")));
        assertTrue(Files.isDirectory(root.resolve("empty-dir")));
        assertEquals(Path.of("bin/su"), Files.readSymbolicLink(root.resolve("rel-link")));
        assertEquals(Path.of("/bin/wall"), Files.readSymbolicLink(root.resolve("abs-link")));
        assertEquals(Path.of("/nowhere/at/all"), Files.readSymbolicLink(root.resolve("dangling")));
        assertEquals(Files.getAttribute(root.resolve("bin/su"), "unix:ino"),
                Files.getAttribute(root.resolve("hard-su"), "unix:ino"));
        assertEquals(2, Files.getAttribute(root.resolve("bin/su"), "unix:nlink"));
        assertEquals("150", Files.readString(root.resolve(LONG_150)));
        assertEquals("300", Files.readString(root.resolve(LONG_300)));
        assertEquals("in a read-only dir", Files.readString(root.resolve("ro-dir/inside")));
        assertEquals(T, Files.getLastModifiedTime(root.resolve("bin/su")).toInstant());
        assertEquals(T, Files.getLastModifiedTime(root.resolve("bin")).toInstant(), "dir mtime set after children");
        assertEquals(T, Files.getLastModifiedTime(root.resolve("ro-dir")).toInstant());
        assertEquals(0010000, ((Integer) Files.getAttribute(root.resolve("pipe"), "unix:mode", NOFOLLOW)) & 0170000);
        if (ROOT) {
            assertEquals(3_000_000, Files.getAttribute(root.resolve("owned"), "unix:uid"));
            assertEquals(3_000_000, Files.getAttribute(root.resolve("owned"), "unix:gid"));
        }
        // user.* xattrs are applied; security.* cannot be set from Java and is reported.
        UserDefinedFileAttributeView view = Files.getFileAttributeView(root.resolve("xattr-file"),
                UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(view.size("blob"));
        view.read("blob", buf);
        assertArrayEquals(USER_XATTR, Arrays.copyOf(buf.array(), buf.position()));
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("security.capability")), result.warnings()
                .toString());
    }

    @Test
    void walkWriteExtractWalkGivesTheSameEntries() throws IOException {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.createDirectories(src.resolve("a/b/c"));
        Files.writeString(src.resolve("a/b/c/file"), "deep");
        Files.write(src.resolve("a/bin"), CompressionTest.semiCompressible(300_000, 3));
        Files.createLink(src.resolve("a/bin-link"), src.resolve("a/bin"));
        Files.createSymbolicLink(src.resolve("a/sym"), Path.of("../outside"));
        Files.writeString(src.resolve("a/x"), "x");
        Files.setAttribute(src.resolve("a/x"), "unix:mode", 04711);
        Files.getFileAttributeView(src.resolve("a/x"), UserDefinedFileAttributeView.class)
                .write("note", ByteBuffer.wrap(USER_XATTR));
        DirectoryWalker walker = new DirectoryWalker(DirectoryWalker.Options.defaults());
        List<LayerEntry> before = walker.walk(src);
        assertTrue(before.stream().anyMatch(e -> e instanceof LayerEntry.Hardlink h && h.target().equals("a/bin")));

        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults());
        LayerResult r = writer.write(before, blob);
        Path root = Files.createDirectory(tmp.resolve("root"));
        new LayerExtractor().extract(new ByteArrayInputStream(blob.toByteArray()), root,
                LayerExtractor.Options.defaults().withExpectedDigest(r.digest()));

        List<LayerEntry> after = walker.walk(root);
        assertEquals(describe(before), describe(after));
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(r, writer.write(after, again), "re-writing the extracted tree gives the same layer");
    }

    /** Entries minus what legitimately differs between hosts (mtime precision below a second). */
    private static List<String> describe(List<LayerEntry> entries) throws IOException {
        List<String> out = new ArrayList<>();
        for (LayerEntry e : entries) {
            EntryAttributes a = e.attributes();
            String content = "";
            if (e instanceof LayerEntry.RegularFile f) {
                try (var in = f.content().open()) {
                    content = TreeSnapshot.sha(in.readAllBytes());
                }
            }
            out.add(e.getClass().getSimpleName() + " " + e.path() + " 0" + Integer.toOctalString(a.mode()) + " "
                    + a.uid() + ":" + a.gid() + " " + a.mtime().getEpochSecond() + " " + a.xattrs().keySet() + " "
                    + content + " " + (e instanceof LayerEntry.Symlink s ? s.target() : "")
                    + (e instanceof LayerEntry.Hardlink h ? h.target() : ""));
        }
        return out;
    }

    private static void assertMode(Path p, int expected) throws IOException {
        int mode = ((Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW)) & 07777;
        if (expected >= 0) {
            assertEquals(Integer.toOctalString(expected), Integer.toOctalString(mode), p.toString());
        } else {
            assertFalse((mode & 0777) != 0755, p.toString());
        }
    }

    static EntryAttributes attrs(int mode) {
        return EntryAttributes.of(mode).withMtime(T);
    }

    static LayerEntry.Directory dir(String path, int mode) {
        return new LayerEntry.Directory(path, attrs(mode));
    }

    static LayerEntry.RegularFile file(String path, int mode, String content) {
        return LayerEntry.RegularFile.of(path, attrs(mode), content.getBytes(StandardCharsets.UTF_8));
    }
}
