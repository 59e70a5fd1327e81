package dev.jbuild.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -o type=local} and {@code -o type=tar}: the merged root filesystem, on disk and as a tar. */
class FilesystemExportTest {

    @TempDir
    Path temp;

    Store store;
    TestImages.Image image;

    @BeforeEach
    void setUp() throws IOException {
        store = Store.open(temp.resolve("store"));
        image = TestImages.standard(store);
    }

    @Test
    void rootfsTarIsTheMergedTreeWithWhiteoutsAppliedAndLinksKept() throws IOException {
        TreeView tar = TreeView.ofTar(new ByteArrayInputStream(rootfsTar(image.manifest(), null)));

        assertEquals(TestImages.expectedTree(), tar.entries());
        // bin/tool was replaced above the layer that linked it: the link keeps the old file, as a file.
        assertEquals(Map.of(), tar.links());
        assertEquals(Map.of("security.capability", HexFormat.of().formatHex(TestImages.CAPABILITY)),
                tar.xattrs().get("bin/tool"), "non-user xattrs survive without root");
        assertEquals(Map.of("user.note", "000102ff"), tar.xattrs().get("data/file"));
        assertEquals(TestImages.MTIME, tar.mtimes().get("etc/hostname"));
    }

    @Test
    void rootfsTarKeepsHardLinksThatStillShareAFile() throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        TestImages.addLayer(store, List.of(TestImages.file("a/one", 0644, "shared"),
                new LayerEntry.Hardlink("b/two", TestImages.attrs(0644), "a/one")),
                Compression.GZIP, layers, diffIds);
        // A link in an upper layer to a lower file: the three paths are one file.
        TestImages.addLayer(store, List.of(
                new LayerEntry.Hardlink("0first", TestImages.attrs(0644), "a/one")),
                Compression.GZIP, layers, diffIds);
        TestImages.Image linked = TestImages.image(store, new Platform("linux", "amd64"), layers, diffIds);

        TreeView tar = TreeView.ofTar(new ByteArrayInputStream(rootfsTar(linked.manifest(), null)));

        // The first path in tar order carries the content, whichever path the layer gave it.
        assertEquals(Map.of("a/one", "0first", "b/two", "0first"), tar.links());
        assertEquals("file 0644 0:0 " + TreeView.sha("shared"), tar.entries().get("b/two"));
    }

    /**
     * Names are bytes ({@code layer.RawNames}): two names that differ only in bytes that are not UTF-8 are two
     * files, and the merged tree writes them in the layer order, by those bytes (0x80 before "é" = C3 A9 before 0xff).
     */
    @Test
    void rootfsTarKeepsNamesThatAreNotUtf8ApartAndInByteOrder() throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        String x80 = "d/\uDC80";
        String xff = "d/\uDCFF";
        String accented = "d/\u00e9";
        TestImages.addLayer(store, List.of(TestImages.file(xff, 0644, "ff"), TestImages.file(accented, 0644, "e9"),
                TestImages.file(x80, 0644, "80")), Compression.GZIP, layers, diffIds);
        TestImages.Image raw = TestImages.image(store, new Platform("linux", "amd64"), layers, diffIds);

        List<String> order = new ArrayList<>();
        Map<String, String> contents = new TreeMap<>();
        LayerReader.read(new ByteArrayInputStream(rootfsTar(raw.manifest(), null)), (entry, content) -> {
            order.add(entry.path());
            if (entry instanceof LayerEntry.RegularFile) {
                contents.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
            }
        });

        assertEquals(List.of("d", x80, accented, xff), order);
        assertEquals(Map.of(x80, "80", accented, "e9", xff, "ff"), contents);
    }

    @Test
    void rootfsTarIsDeterministicAndClampsMtimes() throws IOException {
        Instant epoch = Instant.ofEpochSecond(1_600_000_000);
        byte[] first = rootfsTar(image.manifest(), epoch);
        byte[] second = rootfsTar(image.manifest(), epoch);

        assertArrayEquals(first, second);
        TreeView tar = TreeView.ofTar(new ByteArrayInputStream(first));
        assertTrue(tar.mtimes().values().stream().allMatch(t -> !t.isAfter(epoch)), tar.mtimes().toString());
        assertEquals(epoch, tar.mtimes().get("etc/hostname"));
    }

    @Test
    void rootfsTarReadsLayersWhoseEntriesAreOutOfOrder() throws IOException {
        // Some tools write layers unsorted; the exporter then spools the files it passes.
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
            for (String name : new String[] {"z/last", "a/first", "m/middle"}) {
                byte[] content = ("content of " + name).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(content.length);
                entry.setMode(0100600);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        byte[] blob = layer.toByteArray();
        Descriptor layerDescriptor = store.putBytes("application/vnd.oci.image.layer.v1.tar", blob);
        TestImages.Image unsorted = TestImages.image(store, new Platform("linux", "amd64"),
                List.of(layerDescriptor), List.of(layerDescriptor.digest()));

        TreeView tar = TreeView.ofTar(new ByteArrayInputStream(rootfsTar(unsorted.manifest(), null)));

        assertEquals("file 0600 0:0 " + TreeView.sha("content of z/last"), tar.entries().get("z/last"));
        assertEquals("file 0600 0:0 " + TreeView.sha("content of a/first"), tar.entries().get("a/first"));
        assertEquals("dir 0755 0:0", tar.entries().get("m"), "implicit parents are 0755 root-owned");
        try (var leftovers = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), leftovers.toList(), "spooled files are removed");
        }
    }

    @Test
    void localDirectoryUnpacksTheSameTree() throws IOException {
        Path dest = temp.resolve("out/rootfs");
        UnpackResult result = Exporter.localDirectory(store, image.manifest(), dest, false);

        assertEquals(3, result.layers());
        TreeView disk = TreeView.ofDirectory(dest);
        Map<String, String> expected = TestImages.expectedTree();
        // Everything belongs to the caller, root too, as BuildKit's local exporter writes it.
        expected = withOwner(expected, uid() + ":" + gid());
        assertEquals(expected, disk.entries());
        assertEquals(Map.of(), disk.links());
        assertEquals(Map.of("user.note", "000102ff"), disk.xattrs().get("data/file"));
    }

    @Test
    void rootfsTarFollowsLinksInLayerPathsAsTheExtractorDoes() throws IOException {
        // Entries of an upper layer that go through links of a lower one: the merged tree (type=tar) is
        // resolved by the same walk as the extractor (type=local), so both land on the same paths.
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        TestImages.addLayer(store, List.of(TestImages.dir("usr", 0755), TestImages.dir("usr/lib", 0755),
                new LayerEntry.Symlink("lib", TestImages.attrs(0777), "usr/lib"),
                new LayerEntry.Symlink("up", TestImages.attrs(0777), "../.."),
                new LayerEntry.Symlink("usr/abs", TestImages.attrs(0777), "/usr/lib/../lib")),
                Compression.GZIP, layers, diffIds);
        TestImages.addLayer(store, List.of(TestImages.file("lib/x", 0644, "through a relative link"),
                TestImages.file("up/y", 0644, "above the root is the root"),
                TestImages.file("usr/abs/z", 0644, "an absolute link starts at the root")),
                Compression.GZIP, layers, diffIds);
        TestImages.Image linked = TestImages.image(store, new Platform("linux", "amd64"), layers, diffIds);

        Map<String, String> tar = TreeView.ofTar(new ByteArrayInputStream(rootfsTar(linked.manifest(), null))).entries();
        Path dest = temp.resolve("out/linked");
        Exporter.localDirectory(store, linked.manifest(), dest, false);
        Map<String, String> disk = TreeView.ofDirectory(dest).entries();

        assertEquals("file 0644 0:0 " + TreeView.sha("through a relative link"), tar.get("usr/lib/x"));
        assertEquals("file 0644 0:0 " + TreeView.sha("above the root is the root"), tar.get("y"));
        assertEquals("file 0644 0:0 " + TreeView.sha("an absolute link starts at the root"), tar.get("usr/lib/z"));
        assertEquals(withOwner(tar, uid() + ":" + gid()), disk);
    }

    @Test
    void rootfsTarRefusesALinkLoopInALayerPathWithTheOneMessage() throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        TestImages.addLayer(store, List.of(new LayerEntry.Symlink("a", TestImages.attrs(0777), "b"),
                new LayerEntry.Symlink("b", TestImages.attrs(0777), "a")), Compression.GZIP, layers, diffIds);
        TestImages.addLayer(store, List.of(TestImages.file("a/file", 0644, "never placed")),
                Compression.GZIP, layers, diffIds);
        TestImages.Image looped = TestImages.image(store, new Platform("linux", "amd64"), layers, diffIds);

        ExportException e = assertThrows(ExportException.class, () -> rootfsTar(looped.manifest(), null));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
    }

    @Test
    void localDirectoryRefusesANonEmptyDirectoryUnlessAllowed() throws IOException {
        Path dest = temp.resolve("busy");
        Files.createDirectories(dest);
        Files.writeString(dest.resolve("keep.txt"), "mine");
        Files.writeString(dest.resolve("etc"), "a file where the image has a directory");

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.localDirectory(store, image.manifest(), dest, false));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("mine", Files.readString(dest.resolve("keep.txt")));

        Exporter.localDirectory(store, image.manifest(), dest, true);
        assertEquals("mine", Files.readString(dest.resolve("keep.txt")), "merged over, like BuildKit");
        assertEquals("jbuild\n", Files.readString(dest.resolve("etc/hostname")));
    }

    /**
     * A hostile image's whiteouts cannot delete what was in the directory before: BuildKit merges its final tree,
     * with no whiteouts left. Neither is a link the user had there written through.
     */
    @Test
    void localDirectoryMergedOverOldContentKeepsWhatTheImageDoesNotReplace() throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        TestImages.addLayer(store, List.of(TestImages.dir("data", 0755), TestImages.file("data/lower", 0644, "lower"),
                TestImages.dir("outside", 0755)), Compression.GZIP, layers, diffIds);
        TestImages.addLayer(store, List.of(new LayerEntry.Whiteout("Documents", TestImages.attrs(0)),
                new LayerEntry.OpaqueWhiteout("data", TestImages.attrs(0)), TestImages.dir("data", 0750),
                TestImages.file("data/upper", 0644, "upper"), TestImages.file("outside/planted", 0644, "planted")),
                Compression.GZIP, layers, diffIds);
        TestImages.Image hostile = TestImages.image(store, new Platform("linux", "amd64"), layers, diffIds);
        Path dest = Files.createDirectories(temp.resolve("mine"));
        Files.createDirectories(dest.resolve("Documents"));
        Files.writeString(dest.resolve("Documents/thesis.txt"), "precious");
        Files.createDirectories(dest.resolve("data"));
        Files.writeString(dest.resolve("data/notes"), "mine too");
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(dest.resolve("outside"), elsewhere);

        Exporter.localDirectory(store, hostile.manifest(), dest, true);

        assertEquals("precious", Files.readString(dest.resolve("Documents/thesis.txt")));
        assertEquals("mine too", Files.readString(dest.resolve("data/notes")));
        assertEquals("upper", Files.readString(dest.resolve("data/upper")));
        assertFalse(Files.exists(dest.resolve("data/lower")), "the image's own opaque directory hides its lower layer");
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("data"))));
        assertTrue(Files.isDirectory(dest.resolve("outside"), LinkOption.NOFOLLOW_LINKS), "the link is replaced");
        assertEquals("planted", Files.readString(dest.resolve("outside/planted")));
        try (var left = Files.list(elsewhere)) {
            assertEquals(List.of(), left.toList(), "nothing written through the user's link");
        }
        try (var names = Files.list(dest)) {
            assertEquals(List.of("Documents", "data", "outside"),
                    names.map(p -> p.getFileName().toString()).sorted().toList(), "no staging directory left");
        }
    }

    @Test
    void localDirectoryRejectsAFileAsDestination() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.localDirectory(store, image.manifest(), file, true));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void anIndexMustBeNarrowedToAPlatformFirst() throws IOException {
        TestImages.Image arm = TestImages.single(store, new Platform("linux", "arm64", "v8"), "arm");
        Descriptor index = TestImages.index(store, image, arm);

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.rootfsTar(store, index, new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().contains("choose a platform"), e.getMessage());

        Descriptor chosen = Exporter.platformManifest(store, index, Platform.parse("linux/arm64"));
        assertEquals(arm.manifest().digest(), chosen.digest());
        TreeView tar = TreeView.ofTar(new ByteArrayInputStream(rootfsTar(chosen, null)));
        assertEquals(Map.of("marker", "file 0644 0:0 " + TreeView.sha("arm")), tar.entries());
    }

    @Test
    void aDamagedLayerIsReportedNotExported() throws IOException {
        Descriptor top = image.layers().get(2);
        Path blob = store.path(top.digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1; // the last zero block, after the end marker: still a readable tar
        blob.toFile().setWritable(true);
        Files.write(blob, bytes);

        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.rootfsTar(store, image.manifest(), new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertThrows(IOException.class, () -> Exporter.localDirectory(store, image.manifest(), temp.resolve("d"), false));
    }

    @Test
    void aMissingLayerIsNamed() throws IOException {
        Files.delete(store.path(image.layers().get(1).digest()));
        ExportException e = assertThrows(ExportException.class,
                () -> Exporter.localDirectory(store, image.manifest(), temp.resolve("never"), false));
        assertTrue(e.getMessage().contains(image.layers().get(1).digest().toString()), e.getMessage());
        assertFalse(Files.exists(temp.resolve("never")), "nothing is written before all blobs are known present");
    }

    private byte[] rootfsTar(Descriptor manifest, Instant epoch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Exporter.rootfsTar(store, manifest, out, epoch);
        return out.toByteArray();
    }

    private static Map<String, String> withOwner(Map<String, String> tree, String owner) {
        Map<String, String> out = new TreeMap<>();
        tree.forEach((k, v) -> out.put(k, v.replaceFirst(" \\d+:\\d+", " " + owner)));
        return out;
    }

    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long gid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
