package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers. The target root lives at sentinel/a/b/root, with canary files around it; after every
 * case nothing outside the root may have changed (and nothing may appear in the host's /etc).
 */
class HostileLayerTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path tmp;
    private Path sentinel;
    private Path root;
    private Map<String, String> before;
    private boolean hostEtcXExisted;

    @BeforeEach
    void setUp() throws IOException {
        sentinel = Files.createDirectory(tmp.resolve("sentinel"));
        root = Files.createDirectories(sentinel.resolve("a/b/root"));
        Files.writeString(sentinel.resolve("outside"), "canary");
        Files.writeString(sentinel.resolve("a/b/x"), "canary next to root");
        Files.writeString(sentinel.resolve("a/x"), "canary");
        Files.createDirectories(sentinel.resolve("etc"));
        Files.writeString(sentinel.resolve("etc/passwd"), "root:x:0:0");
        before = TreeSnapshot.of(sentinel, root);
        hostEtcXExisted = Files.exists(Path.of("/etc/x"), NOFOLLOW);
    }

    @AfterEach
    void nothingOutsideTheRootChanged() {
        assertEquals(before, TreeSnapshot.of(sentinel, root));
        assertEquals(hostEtcXExisted, Files.exists(Path.of("/etc/x"), NOFOLLOW), "host /etc/x touched");
    }

    @Test
    void dotDotTraversalIsConfined() throws IOException {
        extract(new TarBuilder().file("../../etc/x", "t1").file("a/../../../../x2", "t2").tar());
        assertEquals("t1", Files.readString(root.resolve("etc/x")));
        assertEquals("t2", Files.readString(root.resolve("x2")));
    }

    @Test
    void absoluteNamesAreMadeRelative() throws IOException {
        extract(new TarBuilder().file("/etc/x", "abs").file("//./x3", "abs2").tar());
        assertEquals("abs", Files.readString(root.resolve("etc/x")));
        assertEquals("abs2", Files.readString(root.resolve("x3")));
    }

    @Test
    void symlinkToSlashIsFollowedInsideTheRoot() throws IOException {
        extract(new TarBuilder().symlink("evil", "/").file("evil/etc/x", "via evil").tar());
        assertTrue(Files.isSymbolicLink(root.resolve("evil")));
        assertEquals("via evil", Files.readString(root.resolve("etc/x")));
    }

    @Test
    void relativeSymlinkClimbingOutIsFollowedInsideTheRoot() throws IOException {
        extract(new TarBuilder().symlink("up", "../../..").file("up/x", "via up")
                .symlink("deep/up2", "../../../../a/b/x").file("deep/up2", "replaced the link, not its target")
                .tar());
        assertEquals("via up", Files.readString(root.resolve("x")));
        assertEquals("replaced the link, not its target", Files.readString(root.resolve("deep/up2")));
        assertFalse(Files.isSymbolicLink(root.resolve("deep/up2")));
    }

    @Test
    void symlinkToTheHostsRealPathStaysInsideTheRoot() throws IOException {
        extract(new TarBuilder().symlink("host", sentinel.toString()).file("host/outside", "pwned")
                .symlink("f", sentinel.resolve("outside").toString()).file("f", "replaced").tar());
        assertEquals("pwned", Files.readString(root.resolve(sentinel.toString().substring(1)).resolve("outside")));
        assertEquals("replaced", Files.readString(root.resolve("f")));
    }

    @Test
    void hardlinksResolveInsideTheRootOrFail() throws IOException {
        extract(new TarBuilder().file("etc/passwd", "inner").hardlink("pw", "/etc/passwd")
                .symlink("out", "../../../outside").hardlink("out-link", "out").tar());
        assertEquals(Files.getAttribute(root.resolve("etc/passwd"), "unix:ino"),
                Files.getAttribute(root.resolve("pw"), "unix:ino"));
        assertTrue(Files.isSymbolicLink(root.resolve("out-link")), "a link to a symlink is the symlink itself");

        LayerException e = assertThrows(LayerException.class,
                () -> extract(new TarBuilder().hardlink("o", "../outside").tar()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(LayerException.class, () -> extract(new TarBuilder().hardlink("o", "/etc/shadow").tar()));
        assertThrows(LayerException.class, () -> extract(new TarBuilder().dir("d", 0755).hardlink("o", "d").tar()));
    }

    @Test
    void aHardLinkToItselfChangesNothing() throws IOException {
        // GNU tar stores a file archived twice ("tar cf x.tar f f") as a link to itself the second time.
        extract(new TarBuilder().file("f", "kept").hardlink("f", "f").hardlink("./f", "/f").tar());
        assertEquals("kept", Files.readString(root.resolve("f")));
    }

    @Test
    void aPlainTarLayerWhoseFirstMemberLooksLikeBzip2IsATar() throws IOException {
        ExtractResult r = extract(new TarBuilder().file("BZh91AY&SY", "plain").tar());
        assertEquals(Compression.NONE, r.compression());
        assertEquals("plain", Files.readString(root.resolve("BZh91AY&SY")));
        LayerException e = assertThrows(LayerException.class,
                () -> extract(new byte[] {'B', 'Z', 'h', '9', '1', 'A', 'Y', '&', 'S', 'Y'}));
        assertTrue(e.getMessage().contains("unsupported compression (bzip2)"), e.getMessage());
    }

    @Test
    void whiteoutsCannotPointOutOrAtTheRoot() throws IOException {
        Files.writeString(root.resolve("x"), "lower");
        extract(new TarBuilder().file("../.wh.x", "").tar());
        assertFalse(Files.exists(root.resolve("x")));

        for (String name : new String[] {".wh...", "d/.wh..", ".wh.", "../../.wh..."}) {
            LayerException e = assertThrows(LayerException.class, () -> extract(new TarBuilder().file(name, "").tar()),
                    name);
            assertTrue(e.getMessage().contains("invalid whiteout"), e.getMessage());
        }
        extract(new TarBuilder().symlink("evil", "/").file("evil/.wh.outside", "").tar());
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void opaqueDirectoryHidesLowerContentButNotThisLayers() throws IOException {
        Files.createDirectories(root.resolve("d/sub"));
        Files.writeString(root.resolve("d/old"), "lower");
        Files.writeString(root.resolve("d/sub/old"), "lower");
        Files.writeString(root.resolve("keep"), "lower, outside the opaque dir");
        extract(new TarBuilder().dir("d", 0755).file("d/a-new", "before marker").file("d/sub/new", "implicit parent")
                .file("d/.wh..wh..opq", "").file("d/z-new", "after marker").file("d/.wh.a-new", "").tar());
        assertEquals(List.of("a-new", "sub", "z-new"), list(root.resolve("d")));
        assertEquals(List.of("new"), list(root.resolve("d/sub")));
        assertTrue(Files.exists(root.resolve("keep")));

        extract(new TarBuilder().file(".wh..wh..opq", "").tar()); // opaque root empties the root, nothing more
        assertEquals(List.of(), list(root));
    }

    @Test
    void deviceNodesAreCreatedWhenPermittedElseSkippedWithAWarning() throws IOException {
        byte[] tar = new TarBuilder().device("dev/null", TarHeader.CHAR_DEVICE, 1, 3)
                .device("dev/blk", TarHeader.BLOCK_DEVICE, 7, 0).tar();
        ExtractResult unprivileged = new LayerExtractor(false).extract(new ByteArrayInputStream(tar), root,
                LayerExtractor.Options.defaults());
        assertFalse(Files.exists(root.resolve("dev/null"), NOFOLLOW));
        assertTrue(unprivileged.warnings().stream().anyMatch(w -> w.contains("char device") && w.contains("dev/null")),
                unprivileged.warnings().toString());

        ExtractResult real = extract(tar);
        if (Files.exists(root.resolve("dev/null"), NOFOLLOW)) {
            assertEquals(0020000, ((Integer) Files.getAttribute(root.resolve("dev/null"), "unix:mode", NOFOLLOW)) & 0170000);
            assertEquals(0666, ((Integer) Files.getAttribute(root.resolve("dev/null"), "unix:mode", NOFOLLOW)) & 07777);
        } else {
            assertTrue(real.warnings().stream().anyMatch(w -> w.contains("dev/null")), real.warnings().toString());
        }
    }

    @Test
    void duplicatesAndTypeChangesLaterWins() throws IOException {
        extract(new TarBuilder().file("x", "one").file("x", "two")
                .file("f2d", "file").dir("f2d", 0750).file("f2d/child", "c")
                .dir("d2f", 0755).file("d2f/child", "c").file("d2f", "now a file")
                .dir("dd", 0700).file("dd/kept", "k").dir("dd", 0711)
                .symlink("s2f", "/etc/passwd").file("s2f", "plain").tar());
        assertEquals("two", Files.readString(root.resolve("x")));
        assertEquals("c", Files.readString(root.resolve("f2d/child")));
        assertEquals("now a file", Files.readString(root.resolve("d2f")));
        assertEquals("k", Files.readString(root.resolve("dd/kept")));
        assertEquals(0711, ((Integer) Files.getAttribute(root.resolve("dd"), "unix:mode")) & 07777);
        assertEquals("plain", Files.readString(root.resolve("s2f")));
    }

    @Test
    void deferredDirectoryModesNeverFollowALaterSymlink() throws IOException {
        int sentinelMode = (Integer) Files.getAttribute(sentinel, "unix:mode");
        extract(new TarBuilder().dir("a", 0500).dir("a/b", 0500).symlink("a", sentinel.toString()).tar());
        assertEquals(sentinelMode, Files.getAttribute(sentinel, "unix:mode"));
        assertTrue(Files.isSymbolicLink(root.resolve("a")));
    }

    @Test
    void symlinkLoopsAndFilesUsedAsDirectoriesFail() {
        LayerException loop = assertThrows(LayerException.class,
                () -> extract(new TarBuilder().symlink("l", "l").file("l/x", "").tar()));
        assertTrue(loop.getMessage().contains("too many levels"), loop.getMessage());
        LayerException notDir = assertThrows(LayerException.class,
                () -> extract(new TarBuilder().file("f", "").file("f/x", "").tar()));
        assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
    }

    @Test
    void digestAndDiffIdMismatchesNameTheLayer() {
        byte[] gz = new TarBuilder().file("f", "data").gzip();
        String wrong = "sha256:" + "0".repeat(64);
        LayerException e = assertThrows(LayerException.class, () -> new LayerExtractor().extract(
                new ByteArrayInputStream(gz), root, LayerExtractor.Options.defaults().withExpectedDigest(wrong)));
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains("digest mismatch"), e.getMessage());
        String right = "sha256:" + TreeSnapshot.sha(gz);
        LayerException d = assertThrows(LayerException.class, () -> new LayerExtractor().extract(
                new ByteArrayInputStream(gz), root,
                LayerExtractor.Options.defaults().withExpectedDigest(right).withExpectedDiffId(wrong)));
        assertTrue(d.getMessage().contains(right) && d.getMessage().contains("diff_id mismatch"), d.getMessage());
    }

    @Test
    void truncatedAndCorruptStreamsFailClearly() {
        byte[] tar = new TarBuilder().file("f", CompressionTest.semiCompressible(100_000, 1), 0644).tar();
        byte[] gz = TarBuilder.gzip(tar);
        LayerException g = assertThrows(LayerException.class, () -> extract(Arrays.copyOf(gz, gz.length / 2)));
        assertTrue(g.getMessage().contains("gzip"), g.getMessage());
        LayerException gt = assertThrows(LayerException.class, () -> extract(Arrays.copyOf(gz, gz.length - 4)));
        assertTrue(gt.getMessage().contains("gzip"), gt.getMessage());
        LayerException t = assertThrows(LayerException.class, () -> extract(Arrays.copyOf(tar, 50_000)));
        assertTrue(t.getMessage().contains("truncated tar"), t.getMessage());
        LayerException h = assertThrows(LayerException.class, () -> extract(Arrays.copyOf(tar, 300)));
        assertTrue(h.getMessage().contains("truncated tar"), h.getMessage());
        byte[] badSum = tar.clone();
        badSum[0] ^= 1;
        LayerException c = assertThrows(LayerException.class, () -> extract(badSum));
        assertTrue(c.getMessage().contains("checksum"), c.getMessage());
        byte[] zst = zstd(tar);
        LayerException z = assertThrows(LayerException.class, () -> extract(Arrays.copyOf(zst, zst.length / 2)));
        assertTrue(z.getMessage().contains("zstd") || z.getMessage().contains("truncated"), z.getMessage());
    }

    @Test
    void hugeDeclaredSizesFailFastWithoutBuffering() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            byte[] file = new TarBuilder().header("huge", TarHeader.REGULAR, 0644, 1L << 40, "", 0, 0, Map.of())
                    .raw(new byte[4096]).unterminated();
            LayerException e = assertThrows(LayerException.class, () -> extract(TarBuilder.gzip(file)));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            byte[] pax = new TarBuilder().header("PaxHeaders.0/x", TarHeader.PAX_HEADER, 0644, 077777777777L, "", 0, 0,
                    Map.of()).raw(new byte[512]).unterminated();
            LayerException p = assertThrows(LayerException.class, () -> extract(pax));
            assertTrue(p.getMessage().contains("limit"), p.getMessage());
        });
    }

    @Test
    void tarsFromCommonsCompressWithGnuLongNamesAreRead() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String longName = "../" + "g".repeat(150);
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(buf)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            TarArchiveEntry e = new TarArchiveEntry(longName);
            byte[] data = "gnu".getBytes(StandardCharsets.UTF_8);
            e.setSize(data.length);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        }
        extract(buf.toByteArray());
        assertEquals("gnu", Files.readString(root.resolve("g".repeat(150))));
    }

    private ExtractResult extract(byte[] blob) throws IOException {
        return new LayerExtractor().extract(new ByteArrayInputStream(blob), root, LayerExtractor.Options.defaults());
    }

    private static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] zstd(byte[] data) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (var z = new ZstdOutputStream(buf)) {
                z.write(data);
            }
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
