package dev.jbuild.context;

import static dev.jbuild.context.TestTrees.dir;
import static dev.jbuild.context.TestTrees.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layer.RawNames;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextTarTest {

    private static final Instant MTIME = Instant.parse("2020-05-06T07:08:09Z");

    /** "hello.txt" containing "hi xz\n", made with xz(1): commons-compress cannot write xz without tukaani. */
    private static final String XZ_TAR = "/Td6WFoAAAFpIt42AgAhARwAAAAQz1jM4Cf/AHNdADQZSe6N8LrI/5v/8gxprxHrY1SJJZ2XGwZS"
            + "gVN4F0v4FWBhFHO05xMWEL5M2vekItrwIlPLS4uCzIRf6xLH/5h7JaPa33FlDCeb7x6ybobarWDp4Cxl+pM7c8teTvau8WWMrpH"
            + "QHeixh30pUd0J9OaE2QAAAIXQ3qoAAYsBgFAAAP2Bpws+MA2LAgAAAAABWVo=";

    @TempDir
    Path tmp;

    Path outside;
    Path into;
    Map<String, String> outsideBefore;

    @BeforeEach
    void setUp() throws IOException {
        outside = dir(tmp, "outside");
        file(outside, "secret.txt", "host secret");
        dir(outside, "dir");
        outsideBefore = TestTrees.snapshot(outside);
        into = tmp.resolve("ctx");
    }

    /** Nothing outside the extraction directory changed, whatever happened inside. */
    private void assertOutsideUntouched() throws IOException {
        assertEquals(outsideBefore, TestTrees.snapshot(outside));
        try (var entries = Files.list(tmp)) {
            assertEquals(List.of("ctx", "outside"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void extractsFilesDirectoriesLinksAndMetadata() throws Exception {
        byte[] tar = tar(t -> {
            t.dir("app/", 0750);
            t.file("app/run.sh", "#!/bin/sh\n", 04755);
            t.file("app/data.txt", "data", 0644);
            t.symlink("app/current", "run.sh");
            t.symlink("app/abs", "/etc/passwd");
            t.hardlink("app/same.txt", "app/data.txt");
            t.file("deep/no/dir/entries.txt", "x", 0600);
            t.file("./dot.txt", "dot", 0644);
        });
        Path root = BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertEquals(into.toRealPath(), root);

        assertEquals("#!/bin/sh\n", Files.readString(root.resolve("app/run.sh")));
        assertEquals(04755, mode(root.resolve("app/run.sh")));
        assertEquals(0750, mode(root.resolve("app")));
        assertEquals(0600, mode(root.resolve("deep/no/dir/entries.txt")));
        assertEquals("run.sh", Files.readSymbolicLink(root.resolve("app/current")).toString());
        assertEquals("/etc/passwd", Files.readSymbolicLink(root.resolve("app/abs")).toString());
        assertEquals(Files.getAttribute(root.resolve("app/data.txt"), "unix:ino"),
                Files.getAttribute(root.resolve("app/same.txt"), "unix:ino"));
        assertEquals("dot", Files.readString(root.resolve("dot.txt")));
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("app/run.sh")).toInstant());
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("app")).toInstant());
        assertEquals(MTIME, Files.getLastModifiedTime(root.resolve("app/current"), LinkOption.NOFOLLOW_LINKS).toInstant());

        // and the result is a context like any other, its absolute link resolved inside it
        SourceTree tree = BuildContexts.directory(root, DockerIgnore.load(root, null));
        assertTrue(tree.resolve("app/abs").isEmpty());
        assertEquals(04755, tree.resolve("app/current").orElseThrow().mode());
        assertOutsideUntouched();
    }

    @Test
    void readsEveryCompression() throws Exception {
        byte[] plain = tar(t -> t.file("hello.txt", "hello", 0644));
        List<Function<OutputStream, OutputStream>> compressors = List.of(
                out -> out,
                out -> unchecked(() -> new GzipCompressorOutputStream(out)),
                out -> unchecked(() -> new BZip2CompressorOutputStream(out)),
                out -> unchecked(() -> new ZstdCompressorOutputStream(out)));
        int n = 0;
        for (Function<OutputStream, OutputStream> compressor : compressors) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = compressor.apply(bytes)) {
                out.write(plain);
            }
            Path dest = tmp.resolve("c" + n++);
            BuildContexts.extractTar(new ByteArrayInputStream(bytes.toByteArray()), dest);
            assertEquals("hello", Files.readString(dest.resolve("hello.txt")), "compressor " + n);
        }
    }

    @Test
    void readsXzWhenTheXzLibraryIsThere() throws Exception {
        byte[] xz = Base64.getDecoder().decode(XZ_TAR);
        if (XZUtils.isXZCompressionAvailable()) {
            BuildContexts.extractTar(new ByteArrayInputStream(xz), into);
            assertEquals("hi xz\n", Files.readString(into.resolve("hello.txt")));
        } else {
            IOException e = assertThrows(IOException.class,
                    () -> BuildContexts.extractTar(new ByteArrayInputStream(xz), into));
            assertTrue(e.getMessage().contains("xz"), e.getMessage());
        }
    }

    @Test
    void plainTarWhoseFirstNameLooksLikeAMagicNumberIsStillATar() throws Exception {
        byte[] tar = tar(t -> t.file("BZh91AY", "not bzip2", 0644));
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertEquals("not bzip2", Files.readString(into.resolve("BZh91AY")));
    }

    @Test
    void emptyInputIsAnEmptyContext() throws Exception {
        BuildContexts.extractTar(new ByteArrayInputStream(new byte[0]), into);
        try (var entries = Files.list(into)) {
            assertEquals(0, entries.count());
        }
    }

    @Test
    void rejectsNamesThatClimbOut() throws Exception {
        for (String name : List.of("../evil.txt", "a/../../evil.txt", "./../outside/secret.txt", "..")) {
            byte[] tar = tar(t -> t.file(name, "pwned", 0644));
            IOException e = assertThrows(IOException.class,
                    () -> BuildContexts.extractTar(new ByteArrayInputStream(tar), into), name);
            assertTrue(e.getMessage().contains("outside the context"), e.getMessage());
            assertOutsideUntouched();
            assertFalse(Files.exists(tmp.resolve("evil.txt")));
        }
    }

    @Test
    void hugeDeclaredHeadersFailFastWithoutBuffering() throws Exception {
        // A PAX header that says it is 8 GiB long: refused before anything is read into memory.
        byte[] tar = tar(t -> t.file("x", "x", 0644));
        byte[] pax = Arrays.copyOf(tar, 1024);
        pax[156] = 'x';
        byte[] size = "77777777777\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, pax, 124, 12);
        Arrays.fill(pax, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += pax[i] & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, pax, 148, 8);
        IOException e = assertThrows(IOException.class, () -> BuildContexts.extractTar(new ByteArrayInputStream(pax), into));
        assertTrue(e.getMessage().contains("limit") && e.getMessage().startsWith("context tar"), e.getMessage());
        assertOutsideUntouched();
    }

    @Test
    void absoluteNamesStayInside() throws Exception {
        String hostPath = outside.resolve("secret.txt").toString();
        byte[] tar = tar(t -> {
            t.file("/etc/motd", "inside", 0644);
            t.file(hostPath, "inside too", 0644);
            t.file("/../../evil.txt", "clamped", 0644);
        });
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertEquals("inside", Files.readString(into.resolve("etc/motd")));
        assertEquals("inside too", Files.readString(into.resolve(hostPath.substring(1))));
        assertEquals("clamped", Files.readString(into.resolve("evil.txt")));
        assertOutsideUntouched();
    }

    @Test
    void doesNotWriteThroughASymlinkToADirectory() throws Exception {
        for (String target : List.of(outside.toString(), "../outside", "../../../../" + outside)) {
            byte[] tar = tar(t -> {
                t.symlink("link", target);
                t.file("link/pwned.txt", "pwned", 0644);
            });
            IOException e = assertThrows(IOException.class,
                    () -> BuildContexts.extractTar(new ByteArrayInputStream(tar), into), target);
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertOutsideUntouched();
            deleteContext();
        }
        byte[] nested = tar(t -> {
            t.symlink("d", outside.toString());
            t.dir("d/dir/", 0777);
        });
        assertThrows(IOException.class, () -> BuildContexts.extractTar(new ByteArrayInputStream(nested), into));
        assertOutsideUntouched();
    }

    @Test
    void replacesASymlinkInsteadOfWritingThroughIt() throws Exception {
        byte[] tar = tar(t -> {
            t.symlink("secret.txt", outside.resolve("secret.txt").toString());
            t.file("secret.txt", "replaced", 0600);
            t.symlink("d", outside.resolve("dir").toString());
            t.dir("d/", 0700);
        });
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertFalse(Files.isSymbolicLink(into.resolve("secret.txt")));
        assertEquals("replaced", Files.readString(into.resolve("secret.txt")));
        assertTrue(Files.isDirectory(into.resolve("d"), LinkOption.NOFOLLOW_LINKS));
        assertOutsideUntouched();
    }

    @Test
    void hardLinksMustStayInside() throws Exception {
        String secret = outside.resolve("secret.txt").toString();
        for (String linkName : List.of("../outside/secret.txt", secret, "missing.txt", "dir")) {
            byte[] tar = tar(t -> {
                t.dir("dir/", 0755);
                t.hardlink("h", linkName);
            });
            assertThrows(IOException.class, () -> BuildContexts.extractTar(new ByteArrayInputStream(tar), into), linkName);
            assertOutsideUntouched();
            deleteContext();
        }
        // a hard link through a symlinked directory is refused too
        byte[] through = tar(t -> {
            t.symlink("o", outside.toString());
            t.hardlink("h", "o/secret.txt");
        });
        assertThrows(IOException.class, () -> BuildContexts.extractTar(new ByteArrayInputStream(through), into));
        assertOutsideUntouched();
        deleteContext();
        // a hard link to a symlink links the symlink, never its target
        byte[] toLink = tar(t -> {
            t.symlink("s", secret);
            t.hardlink("h", "s");
        });
        BuildContexts.extractTar(new ByteArrayInputStream(toLink), into);
        assertEquals(secret, Files.readSymbolicLink(into.resolve("h")).toString());
        assertOutsideUntouched();
    }

    @Test
    void restoresUserXattrsFromPaxRecordsWhereTheFilesystemHasThem() throws Exception {
        byte[] tar = tar(t -> t.fileWithPax("tagged.txt", "x", Map.of(
                "SCHILY.xattr.user.origin", "tar", "SCHILY.xattr.security.capability", "ignored")));
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        Map<String, byte[]> xattrs = BuildContexts.directory(into, DockerIgnore.none())
                .lookup("tagged.txt").orElseThrow().xattrs();
        if (xattrsSupported(into)) {
            assertEquals(List.of("user.origin"), List.copyOf(xattrs.keySet()));
            assertEquals("tar", new String(xattrs.get("user.origin"), StandardCharsets.UTF_8));
        } else {
            assertTrue(xattrs.isEmpty());
        }
    }

    /** Binary xattr values reach the file byte for byte (commons-compress decoded PAX values as UTF-8 text). */
    @Test
    void binaryXattrValuesAndPaxLongNamesSurviveExtraction() throws Exception {
        byte[] value = {0, 1, (byte) 0xff, (byte) 0xfe, (byte) 0x80, 'x'};
        String longName = "deep/" + "n".repeat(150) + "/file.txt";
        byte[] tar = tar(t -> {
            t.fileWithRawPax("bin.txt", "x", Map.of("SCHILY.xattr.user.blob", value));
            t.file(longName, "long", 0644);
        });
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertEquals("long", Files.readString(into.resolve(longName)));
        Map<String, byte[]> xattrs = BuildContexts.directory(into, DockerIgnore.none())
                .lookup("bin.txt").orElseThrow().xattrs();
        if (xattrsSupported(into)) {
            assertArrayEquals(value, xattrs.get("user.blob"));
        } else {
            assertTrue(xattrs.isEmpty());
        }
    }

    /** Names are bytes: one that is not UTF-8 is created with exactly those bytes. */
    @Test
    void namesThatAreNotUtf8KeepTheirBytes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "ISO-8859-1")) {
            new TarWriter(out).file("caf\u00e9.txt", "latin-1 name", 0644); // the byte 0xe9 alone
        }
        BuildContexts.extractTar(new ByteArrayInputStream(bytes.toByteArray()), into);
        try (var entries = Files.list(into)) {
            List<Path> names = entries.toList();
            assertEquals(1, names.size());
            assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0xe9, '.', 't', 'x', 't'},
                    RawNames.encode(RawNames.fileName(names.get(0))));
        }
    }

    /** GNU tar's sparse files, concatenated gzip members and .wh. names (plain files in a context). */
    @Integration
    @Test
    void sparseFilesConcatenatedGzipAndWhiteoutNamesAreOrdinaryContent() throws Exception {
        Path src = dir(tmp, "src");
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("holes.bin").toFile(), "rw")) {
            f.setLength(1 << 20);
            f.seek(300_000);
            f.write("data".getBytes(StandardCharsets.UTF_8));
        }
        Path sparse = tmp.resolve("sparse.tar");
        ExternalTool.command("tar", "--format=gnu", "--sparse", "-cf", sparse.toString(),
                "-C", src.toString(), "holes.bin").runSuccessfully();
        BuildContexts.extractTar(Files.newInputStream(sparse), into);
        assertArrayEquals(Files.readAllBytes(src.resolve("holes.bin")), Files.readAllBytes(into.resolve("holes.bin")));
        deleteContext();

        byte[] tar = tar(t -> {
            t.file(".wh.kept", "not a whiteout", 0644);
            t.file("d/.wh..wh..opq", "nor this", 0644);
            t.file("second.txt", "2", 0644);
        });
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        for (byte[] part : List.of(Arrays.copyOf(tar, 1024), Arrays.copyOfRange(tar, 1024, tar.length))) {
            try (OutputStream gz = new GZIPOutputStream(members)) {
                gz.write(part);
            }
        }
        // GZIPOutputStream.close closed the buffer too; ByteArrayOutputStream does not mind
        BuildContexts.extractTar(new ByteArrayInputStream(members.toByteArray()), into);
        assertEquals("not a whiteout", Files.readString(into.resolve(".wh.kept")));
        assertEquals("nor this", Files.readString(into.resolve("d/.wh..wh..opq")));
        assertEquals("2", Files.readString(into.resolve("second.txt")));
    }

    private static boolean xattrsSupported(Path dir) throws IOException {
        Path probe = dir.resolve(".xattr-probe");
        Files.writeString(probe, "");
        try {
            Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class)
                    .write("probe", ByteBuffer.wrap(new byte[] {1}));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    @Test
    void skipsDevicesAndFifos() throws Exception {
        byte[] tar = tar(t -> {
            t.special("dev/null", TarConstants.LF_CHR);
            t.special("dev/sda", TarConstants.LF_BLK);
            t.special("fifo", TarConstants.LF_FIFO);
            t.file("ok.txt", "ok", 0644);
        });
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertFalse(Files.exists(into.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(into.resolve("dev/sda"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(into.resolve("fifo"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("ok", Files.readString(into.resolve("ok.txt")));
    }

    @Test
    void readOnlyDirectoriesGetTheirModeAfterTheirContents() throws Exception {
        byte[] tar = tar(t -> {
            t.dir("ro/", 0555);
            t.file("ro/inside.txt", "x", 0444);
            t.file("ro/sub/deeper.txt", "y", 0444);
        });
        try {
            BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
            assertEquals(0555, mode(into.resolve("ro")));
            assertEquals("y", Files.readString(into.resolve("ro/sub/deeper.txt")));
        } finally {
            if (Files.isDirectory(into.resolve("ro"))) {
                Files.setAttribute(into.resolve("ro"), "unix:mode", 0755);
            }
        }
    }

    @Test
    void laterEntriesReplaceEarlierOnes() throws Exception {
        byte[] tar = tar(t -> {
            t.file("x", "first", 0644);
            t.file("x", "second", 0644);
            t.file("d/inner", "i", 0644);
            t.file("d", "now a file", 0644);
        });
        BuildContexts.extractTar(new ByteArrayInputStream(tar), into);
        assertEquals("second", Files.readString(into.resolve("x")));
        assertEquals("now a file", Files.readString(into.resolve("d")));
    }

    // --- helpers

    private void deleteContext() throws IOException {
        if (Files.exists(into, LinkOption.NOFOLLOW_LINKS)) {
            try (var walk = Files.walk(into)) {
                List<Path> all = new ArrayList<>(walk.toList());
                for (int i = all.size() - 1; i >= 0; i--) {
                    Files.delete(all.get(i));
                }
            }
        }
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    interface TarContent {
        void write(TarWriter t) throws IOException;
    }

    static byte[] tar(TarContent content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            content.write(new TarWriter(out));
        }
        return bytes.toByteArray();
    }

    /** Writes entries with names exactly as given (absolute and ".." kept). */
    record TarWriter(TarArchiveOutputStream out) {

        void file(String name, String content, int mode) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
            e.setMode(0100000 | mode);
            e.setSize(data.length);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        }

        void fileWithPax(String name, String content, Map<String, String> pax) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
            e.setMode(0100644);
            e.setSize(data.length);
            pax.forEach(e::addPaxHeader);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        }

        /** PAX records whose values are bytes, written by hand (commons-compress would take them as text). */
        void fileWithRawPax(String name, String content, Map<String, byte[]> pax) throws IOException {
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> r : pax.entrySet()) {
                byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
                int rest = 1 + key.length + 1 + r.getValue().length + 1;
                int len = rest + Integer.toString(rest).length();
                if (Integer.toString(len).length() != Integer.toString(rest).length()) {
                    len = rest + Integer.toString(len).length();
                }
                records.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
                records.writeBytes(key);
                records.write('=');
                records.writeBytes(r.getValue());
                records.write('\n');
            }
            TarArchiveEntry header = entry("PaxHeaders/" + name, TarConstants.LF_PAX_EXTENDED_HEADER_LC);
            header.setSize(records.size());
            out.putArchiveEntry(header);
            out.write(records.toByteArray());
            out.closeArchiveEntry();
            file(name, content, 0644);
        }

        void dir(String name, int mode) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_DIR);
            e.setMode(040000 | mode);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }

        void symlink(String name, String target) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }

        void hardlink(String name, String target) throws IOException {
            TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }

        void special(String name, byte type) throws IOException {
            TarArchiveEntry e = entry(name, type);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
        }

        private static TarArchiveEntry entry(String name, byte type) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setModTime(FileTime.from(MTIME));
            return e;
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    static <T> T unchecked(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
