package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
    private static final Instant EPOCH = Instant.ofEpochSecond(1_700_000_000);
    /** Bytes a security.capability value may hold: NUL, 0xff, '\n', '=', invalid UTF-8. */
    static final byte[] CAPABILITY = {0x01, 0x00, 0x00, 0x02, (byte) 0xff, (byte) 0xfe, '\n', '=', 0x00,
        (byte) 0xc3, 0x28, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

    @TempDir
    Path tmp;

    @Test
    void sameContentDifferentMtimesAndCreationOrderGiveIdenticalBytesWithEpochClamp() throws IOException {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        List<String> names = new ArrayList<>(List.of("x/1.txt", "x/y/2.txt", "x-z", "empty", "a b", "ü.txt"));
        makeTree(a, names, Instant.parse("2030-01-01T00:00:00Z"));
        Collections.reverse(names);
        makeTree(b, names, Instant.parse("2031-06-01T12:34:56.789Z"));

        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withSourceDateEpoch(EPOCH));
        DirectoryWalker walker = new DirectoryWalker(DirectoryWalker.Options.defaults().withOwner(0, 0));
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        LayerResult ra = writer.write(walker.walk(a), outA);
        LayerResult rb = writer.write(walker.walk(b), outB);

        assertArrayEquals(outA.toByteArray(), outB.toByteArray());
        assertEquals(ra, rb);
        assertEquals(Compression.GZIP, ra.compression());
        assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", ra.mediaType());
        assertEquals(TreeSnapshot.sha(outA.toByteArray()), ra.digest().substring(7));
        for (TarHeader h : readAll(gunzip(outA.toByteArray()))) {
            assertEquals(EPOCH, h.mtime(), h.name());
        }
    }

    @Test
    void entryOrderIsIndependentOfInputOrderAndParentsComeFirst() throws IOException {
        List<LayerEntry> entries = new ArrayList<>(List.of(
                file("a-c", "1"), dir("a"), file("a/b", "2"), dir("a/d"), file("a/d/e", "3"), file("b", "4"),
                new LayerEntry.Whiteout("a/gone", EntryAttributes.of(0)),
                new LayerEntry.OpaqueWhiteout("a/d", EntryAttributes.of(0)),
                new LayerEntry.Symlink("l", EntryAttributes.of(0777), "/a/b")));
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE));
        byte[] first = write(writer, entries);
        for (long seed = 0; seed < 5; seed++) {
            Collections.shuffle(entries, new Random(seed));
            assertArrayEquals(first, write(writer, entries));
        }
        List<String> names = readAll(first).stream().map(TarHeader::name).toList();
        assertEquals(List.of("a/", "a/.wh.gone", "a/b", "a/d/", "a/d/.wh..wh..opq", "a/d/e", "a-c", "b", "l"),
                names);
    }

    @Test
    void headersAreNumericPaxOnlyWhenNeededAndReadableByCommonsCompress() throws IOException {
        String long150 = "d/" + "n".repeat(148);
        String long300 = "d/" + "p".repeat(200) + "/" + "q".repeat(97);
        EntryAttributes bigOwner = new EntryAttributes(0640, 3_000_000, 3_000_001, EPOCH, Map.of());
        List<LayerEntry> entries = List.of(dir("d"), file(long150, "long"), dir(LayerPaths.parent(long300)),
                new LayerEntry.RegularFile(long300, bigOwner, 3, ContentSource.of("big".getBytes())),
                new LayerEntry.Symlink("d/s", EntryAttributes.of(0777), "../" + "t".repeat(120)),
                file("d/small", "x"));
        byte[] tar = write(new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)),
                entries);

        assertEquals(0, tar.length % 512);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            List<String> names = new ArrayList<>();
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                assertEquals("", e.getUserName());
                assertEquals("", e.getGroupName());
                if (e.getName().equals(long300)) {
                    assertEquals(3_000_000L, e.getLongUserId());
                    assertEquals(3_000_001L, e.getLongGroupId());
                    assertEquals(0640, e.getMode() & 07777);
                    assertEquals("big", new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                if (e.getName().equals("d/s")) {
                    assertEquals("../" + "t".repeat(120), e.getLinkName());
                }
            }
            assertEquals(List.of("d/", long150, LayerPaths.parent(long300) + "/", long300, "d/s", "d/small"), names);
        }
        // The short entry needs no PAX header: its header block is immediately preceded by content, not 'x'.
        String text = new String(tar, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("PaxHeaders.0/"));
        int small = text.indexOf("d/small\0");
        assertNotEquals('x', tar[small - 512 + 156]);
    }

    @Test
    void binaryXattrValuesAreWrittenAsRawPaxRecords() throws IOException {
        EntryAttributes attrs = EntryAttributes.of(0755).withXattrs(
                Map.of("security.capability", CAPABILITY, "user.comment", "hé".getBytes(StandardCharsets.UTF_8)));
        byte[] tar = write(new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)),
                List.of(new LayerEntry.RegularFile("bin/ping", attrs, 2, ContentSource.of("ok".getBytes()))));

        TarHeader h = readAll(tar).get(0);
        assertArrayEquals(CAPABILITY, h.xattrs().get("security.capability"));
        assertArrayEquals("hé".getBytes(StandardCharsets.UTF_8), h.xattrs().get("user.comment"));
        byte[] record = concat(("SCHILY.xattr.security.capability=").getBytes(StandardCharsets.US_ASCII), CAPABILITY);
        assertTrue(indexOf(tar, record) > 0, "raw PAX record present");
    }

    @Test
    void mtimesAreTruncatedToSecondsAndClampedOnlyWhenLater() throws IOException {
        Instant early = Instant.parse("2001-02-03T04:05:06.999Z");
        Instant late = EPOCH.plusSeconds(100);
        byte[] tar = write(new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)
                .withSourceDateEpoch(EPOCH)), List.of(
                        new LayerEntry.Directory("early", EntryAttributes.of(0755).withMtime(early)),
                        new LayerEntry.Directory("late", EntryAttributes.of(0755).withMtime(late))));
        List<TarHeader> hs = readAll(tar);
        assertEquals(Instant.parse("2001-02-03T04:05:06Z"), hs.get(0).mtime());
        assertEquals(EPOCH, hs.get(1).mtime());
    }

    @Test
    void rejectsDuplicatesReservedNamesEscapesAndContentOfTheWrongSize() {
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE));
        assertThrows(IllegalArgumentException.class, () -> write(writer, List.of(file("a", "1"), file("/a/", "2"))));
        assertThrows(IllegalArgumentException.class, () -> file("x/.wh.y", ""));
        assertThrows(IllegalArgumentException.class, () -> file("../x", ""));
        assertThrows(IllegalArgumentException.class, () -> file("/", ""));
        assertThrows(IllegalArgumentException.class,
                () -> write(writer, List.of(new LayerEntry.Hardlink("a", EntryAttributes.of(0644), "b"), file("b", ""))));
        IOException shortContent = assertThrows(IOException.class, () -> write(writer, List.of(
                new LayerEntry.RegularFile("f", EntryAttributes.of(0644), 10, ContentSource.of(new byte[3])))));
        assertTrue(shortContent.getMessage().contains("before its declared size"));
        assertThrows(IOException.class, () -> write(writer, List.of(
                new LayerEntry.RegularFile("f", EntryAttributes.of(0644), 1, ContentSource.of(new byte[3])))));
    }

    @Test
    void walkerDetectsHardlinksAppliesOverridesAndFilters() throws IOException {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Files.writeString(src.resolve("b-first"), "shared");
        Files.createLink(src.resolve("z-second"), src.resolve("b-first"));
        Files.createDirectories(src.resolve("node_modules/pkg"));
        Files.writeString(src.resolve("node_modules/pkg/index.js"), "x");
        Files.createDirectories(src.resolve("logs/keep"));
        Files.writeString(src.resolve("logs/a.log"), "x");
        Files.writeString(src.resolve("logs/keep/k.log"), "x");
        Files.createSymbolicLink(src.resolve("link"), Path.of("/etc/passwd"));
        DirectoryWalker walker = new DirectoryWalker(DirectoryWalker.Options.defaults().withDestination("/app/")
                .withOwner(1000, 1000).withMode(0750).withFilter((path, isDir) -> {
                    if (path.equals("node_modules")) {
                        return DirectoryWalker.Decision.EXCLUDE_TREE;
                    }
                    if (path.startsWith("logs") && !path.startsWith("logs/keep")) {
                        return DirectoryWalker.Decision.EXCLUDE;
                    }
                    return DirectoryWalker.Decision.INCLUDE;
                }));
        List<LayerEntry> entries = walker.walk(src);
        List<String> paths = entries.stream().map(LayerEntry::path).toList();
        assertEquals(List.of("app/b-first", "app/link", "app/logs", "app/logs/keep", "app/logs/keep/k.log",
                "app/z-second"), paths);
        assertTrue(entries.get(0) instanceof LayerEntry.RegularFile);
        assertEquals(new LayerEntry.Hardlink("app/z-second", entries.get(5).attributes(), "app/b-first"),
                entries.get(5));
        assertEquals(new LayerEntry.Symlink("app/link", entries.get(1).attributes(), "/etc/passwd"), entries.get(1));
        for (LayerEntry e : entries) {
            assertEquals(0750, e.attributes().mode());
            assertEquals(1000, e.attributes().uid());
        }
        List<LayerEntry> subset = new DirectoryWalker(DirectoryWalker.Options.defaults())
                .walk(src, List.of("logs/keep/k.log"));
        assertEquals(List.of("logs", "logs/keep", "logs/keep/k.log"), subset.stream().map(LayerEntry::path).toList());
    }

    @Integration
    @Test
    void gnuTarListsWhatWeWrite() throws Exception {
        Path tarFile = tmp.resolve("l.tar");
        String longName = "d/" + "x".repeat(200);
        try (var out = Files.newOutputStream(tarFile)) {
            new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.GZIP)).write(List.of(
                    dir("d"), file(longName, "hello"), new LayerEntry.RegularFile("d/big-id",
                            new EntryAttributes(0600, 3_000_000, 0, EPOCH, Map.of()), 0, ContentSource.of(new byte[0]))),
                    out);
        }
        Process p = new ProcessBuilder("tar", "--numeric-owner", "-tvzf", tarFile.toString())
                .redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        assertTrue(listing.contains(longName), listing);
        assertTrue(listing.contains("3000000/0"), listing);
    }

    static LayerEntry.RegularFile file(String path, String content) {
        return LayerEntry.RegularFile.of(path, EntryAttributes.of(0644).withMtime(EPOCH),
                content.getBytes(StandardCharsets.UTF_8));
    }

    static LayerEntry.Directory dir(String path) {
        return new LayerEntry.Directory(path, EntryAttributes.of(0755).withMtime(EPOCH));
    }

    static byte[] write(LayerWriter writer, List<? extends LayerEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(entries, out);
        return out.toByteArray();
    }

    static List<TarHeader> readAll(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarHeader> out = new ArrayList<>();
        for (TarHeader h = reader.next(); h != null; h = reader.next()) {
            out.add(h);
        }
        assertTrue(reader.endMarkerSeen());
        return out;
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static void makeTree(Path root, List<String> files, Instant mtime) throws IOException {
        for (String name : files) {
            Path p = root.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "content of " + name);
            Files.setLastModifiedTime(p, FileTime.from(mtime));
        }
        try (var s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setLastModifiedTime(p, FileTime.from(mtime));
                if (Files.isDirectory(p)) {
                    Files.setAttribute(p, "unix:mode", 0755);
                } else {
                    Files.setAttribute(p, "unix:mode", 0644);
                }
            }
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
