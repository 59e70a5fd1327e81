package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one tar reader against what context tars and {@code ADD} archives were read with before it
 * (commons-compress): every shape that reader handled there (PAX and GNU long names and link targets,
 * base-256 numbers, GNU sparse files in all four forms, star's prefix) comes out the same, as members and
 * as content; GNU dump directories, which it did not know, as GNU tar lists them. Archives come from GNU tar where it makes them, else from
 * commons-compress's writer, else byte by byte.
 */
class TarReaderTest {

    @TempDir
    Path tmp;

    /** One member as both readers see it: what an extraction would use. */
    record Member(String name, String type, long size, String link, long uid, long gid, int mode, long mtime,
            byte[] content) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && name.equals(m.name) && type.equals(m.type) && size == m.size
                    && link.equals(m.link) && uid == m.uid && gid == m.gid && mode == m.mode && mtime == m.mtime
                    && Arrays.equals(content, m.content);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name + " " + type + " " + size + " ->" + link + " " + uid + ":" + gid + " 0" + Integer.toOctalString(mode)
                    + " @" + mtime + " sha " + TreeSnapshot.sha(content).substring(0, 12);
        }
    }

    @Integration
    @Test
    void gnuSparseFilesInEveryFormatReadAsCommonsCompressReadThem() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path sparse = src.resolve("sparse.bin");
        // Thirty data runs: more than the old GNU header's four slots, so extension blocks are needed too.
        Random random = new Random(7);
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(4 << 20);
            for (int i = 0; i < 30; i++) {
                byte[] run = new byte[1000 + i];
                random.nextBytes(run);
                f.seek(i * 131_072L + 4096 * (i % 3));
                f.write(run);
            }
        }
        byte[] expected = Files.readAllBytes(sparse);
        for (String[] format : List.of(new String[] {"--format=gnu"}, new String[] {"--format=posix", "--sparse-version=0.0"},
                new String[] {"--format=posix", "--sparse-version=0.1"}, new String[] {"--format=posix", "--sparse-version=1.0"})) {
            Path archive = tmp.resolve("sparse" + String.join("", format).replace("-", "") + ".tar");
            List<String> command = new ArrayList<>(List.of("tar", "--sparse", "-cf", archive.toString(), "-C", src.toString()));
            command.addAll(1, List.of(format));
            command.add("sparse.bin");
            ExternalTool.command(command).runSuccessfully();
            byte[] tar = Files.readAllBytes(archive);
            assertTrue(tar.length < expected.length / 4, "GNU tar stored " + String.join(" ", format) + " as sparse");

            List<Member> ours = ours(tar);
            assertEquals(commonsCompress(tar), ours, String.join(" ", format));
            assertEquals(1, ours.size());
            assertEquals("sparse.bin", ours.get(0).name());
            assertEquals("file", ours.get(0).type());
            assertEquals(expected.length, ours.get(0).size());
            assertArrayEquals(expected, ours.get(0).content(), String.join(" ", format));
        }
    }

    @Test
    void longNamesAndLinksPaxAndGnuReadAsCommonsCompressReadThem() throws IOException {
        String longName = "dir/" + "n".repeat(120) + "/é-ünïcode/" + "f".repeat(110);
        String longLink = "/target/" + "l".repeat(150);
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
                out.setLongFileMode(mode);
                out.setAddPaxHeadersForNonAsciiNames(mode == TarArchiveOutputStream.LONGFILE_POSIX);
                file(out, longName, "long".getBytes(StandardCharsets.UTF_8), 0640, 5, 6);
                TarArchiveEntry link = new TarArchiveEntry("links/" + "s".repeat(101), TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(longLink);
                link.setModTime(FileTime.from(Instant.ofEpochSecond(1_500_000_000)));
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
                TarArchiveEntry hard = new TarArchiveEntry("links/hard", TarArchiveEntry.LF_LINK);
                hard.setLinkName(longName);
                out.putArchiveEntry(hard);
                out.closeArchiveEntry();
            }
            List<Member> ours = ours(bytes.toByteArray());
            assertEquals(commonsCompress(bytes.toByteArray()), ours, "long file mode " + mode);
            assertEquals(List.of(longName, "links/" + "s".repeat(101), "links/hard"), ours.stream().map(Member::name).toList());
            assertEquals(longLink, ours.get(1).link());
            assertEquals(longName, ours.get(2).link());
        }
    }

    @Test
    void base256AndPaxNumbersReadAsCommonsCompressReadThem() throws IOException {
        for (int mode : new int[] {TarArchiveOutputStream.BIGNUMBER_STAR, TarArchiveOutputStream.BIGNUMBER_POSIX}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
                out.setBigNumberMode(mode);
                // ids beyond the 7 octal digits of ustar, an mtime beyond 11 digits and one before 1970
                file(out, "big-ids", "x".getBytes(StandardCharsets.UTF_8), 0644, 3_000_000_000L, 077777777L + 5);
                TarArchiveEntry late = new TarArchiveEntry("far-future");
                late.setModTime(FileTime.from(Instant.ofEpochSecond(0100000000000L + 17)));
                out.putArchiveEntry(late);
                out.closeArchiveEntry();
            }
            List<Member> ours = ours(bytes.toByteArray());
            if (mode == TarArchiveOutputStream.BIGNUMBER_POSIX) {
                assertEquals(commonsCompress(bytes.toByteArray()), ours, "big number mode " + mode);
            } // commons-compress reads its own base-256 uid of 3e9 back as a negative int: the one difference
            assertEquals(3_000_000_000L, ours.get(0).uid());
            assertEquals(077777777L + 5, ours.get(0).gid());
            assertEquals(0100000000000L + 17, ours.get(1).mtime());
        }
        // A negative base-256 mtime (GNU tar writes one for a file dated before 1970).
        byte[] header = new TarBuilder().file("old", "o").tar();
        header[136] = (byte) 0xff;
        Arrays.fill(header, 137, 147, (byte) 0xff);
        header[147] = (byte) 0xf6; // -10
        fixChecksum(header);
        List<Member> ours = ours(header);
        assertEquals(commonsCompress(header), ours);
        assertEquals(-10, ours.get(0).mtime());
    }

    @Integration
    @Test
    void starPrefixAsCommonsCompressAndGnuDumpDirectoriesAsGnuTarReadThem() throws IOException {
        // star (xstar): a 131-byte prefix, then atime and ctime, and "tar\0" at 508.
        byte[] star = new TarBuilder().file("name.txt", "star").tar();
        byte[] prefix = ("p".repeat(130) + "q").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, star, 345, prefix.length);
        System.arraycopy("12345670123\0".getBytes(StandardCharsets.US_ASCII), 0, star, 476, 12); // atime
        System.arraycopy("tar\0".getBytes(StandardCharsets.US_ASCII), 0, star, 508, 4);
        fixChecksum(star);
        assertEquals(commonsCompress(star), ours(star));
        assertEquals("p".repeat(130) + "q/name.txt", ours(star).get(0).name());

        // GNU incremental archives store directories as 'D' members whose data lists the directory.
        Path dir = Files.createDirectories(tmp.resolve("inc/d"));
        Files.writeString(dir.resolve("a.txt"), "a");
        Path archive = tmp.resolve("incremental.tar");
        ExternalTool.command("tar", "--format=gnu", "--listed-incremental=" + tmp.resolve("snapshot"), "-cf",
                archive.toString(), "-C", tmp.resolve("inc").toString(), "d").runSuccessfully();
        byte[] tar = Files.readAllBytes(archive);
        assertEquals('D', tar[156], "GNU tar wrote a dump directory");
        List<Member> ours = ours(tar);
        // commons-compress did not know 'D' and read the listing as a header; GNU tar's own listing is the reference.
        String listing = ExternalTool.command("tar", "-tf", archive.toString()).runSuccessfully().stdout();
        assertEquals(List.of(listing.strip().split("\n")), ours.stream().map(Member::name).toList());
        assertEquals(List.of("d/:directory", "d/a.txt:file"), ours.stream().map(m -> m.name() + ":" + m.type()).toList());
        assertEquals(0, ours.get(0).content().length);
        assertEquals("a", new String(ours.get(1).content(), StandardCharsets.UTF_8));
    }

    @Test
    void paxValuesStayBytesWhereCommonsCompressDecodedThem() throws IOException {
        byte[] capability = {1, 0, 0, 2, (byte) 0xff, (byte) 0xfe, 0, (byte) 0x80};
        byte[] rawName = {'n', (byte) 0xe9, '.', 't', 'x', 't'}; // Latin-1 é: not UTF-8
        byte[] tar = new TarBuilder().header(RawNames.decode(rawName), TarHeader.REGULAR, 0644, 0, "", 0, 0,
                Map.of("user.bin", capability, "security.capability", capability)).end().tar();
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        TarHeader h = reader.next();
        assertArrayEquals(rawName, RawNames.encode(h.name()));
        assertArrayEquals(capability, h.xattrs().get("user.bin"));
        assertArrayEquals(capability, h.xattrs().get("security.capability"));
        try (TarArchiveInputStream cc = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            String decoded = cc.getNextEntry().getExtraPaxHeaders().get("SCHILY.xattr.user.bin");
            assertTrue(!Arrays.equals(capability, decoded.getBytes(StandardCharsets.UTF_8)),
                    "commons-compress turns the bytes into UTF-8 text (why TarReader exists)");
        }
    }

    @Test
    void malformedSparseMapsFailWithoutReadingTheData() throws IOException {
        // PAX 0.1 maps that overlap, reach beyond the file, or do not add up to the stored data
        for (String map : List.of("0,10,5,10", "0,10,95,10", "0,5", "0,10,", "x,1")) {
            byte[] tar = paxSparse(Map.of("GNU.sparse.map", map, "GNU.sparse.size", "100"), new byte[20]);
            LayerException e = assertThrows(LayerException.class, () -> ours(tar), map);
            assertTrue(e.getMessage().contains("sparse"), e.getMessage());
        }
        // 0.0's offset/numbytes records must alternate
        byte[] records = (rec("GNU.sparse.numbytes", "5") + rec("GNU.sparse.offset", "0") + rec("GNU.sparse.size", "5"))
                .getBytes(StandardCharsets.US_ASCII);
        LayerException order = assertThrows(LayerException.class, () -> PaxRecords.decode(records));
        assertTrue(order.getMessage().contains("out of order"), order.getMessage());
        // 1.0 whose map declares more fragments than its bound allows
        byte[] count = Arrays.copyOf("999999999999\n".getBytes(StandardCharsets.US_ASCII), 512);
        byte[] huge = paxSparse(Map.of("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.realsize", "10"),
                count);
        LayerException bound = assertThrows(LayerException.class, () -> ours(huge));
        assertTrue(bound.getMessage().contains("limit"), bound.getMessage());
        // an unknown version is refused rather than guessed at
        byte[] future = paxSparse(Map.of("GNU.sparse.major", "2", "GNU.sparse.minor", "0", "GNU.sparse.map", "0,1",
                "GNU.sparse.size", "1"), new byte[1]);
        assertThrows(LayerException.class, () -> ours(future));
    }

    @Test
    void aPaxSparseMapOfFormat00IsJoinedInOrder() throws IOException {
        String records = rec("GNU.sparse.size", "30") + rec("GNU.sparse.numblocks", "2") + rec("GNU.sparse.offset", "2")
                + rec("GNU.sparse.numbytes", "3") + rec("GNU.sparse.offset", "20") + rec("GNU.sparse.numbytes", "4");
        Map<String, byte[]> pax = PaxRecords.decode(records.getBytes(StandardCharsets.US_ASCII));
        assertEquals("2,3,20,4", new String(pax.get("GNU.sparse.map"), StandardCharsets.US_ASCII));
        byte[] tar = paxSparse(Map.of("GNU.sparse.size", "30", "GNU.sparse.map", "2,3,20,4"), "abcdefg".getBytes(StandardCharsets.US_ASCII));
        byte[] expected = new byte[30];
        System.arraycopy("abc".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 3);
        System.arraycopy("defg".getBytes(StandardCharsets.US_ASCII), 0, expected, 20, 4);
        assertArrayEquals(expected, ours(tar).get(0).content());
    }

    // --- helpers

    private static String rec(String key, String value) {
        String rest = " " + key + "=" + value + "\n";
        int len = rest.length() + 1;
        while (Integer.toString(len).length() + rest.length() != len) {
            len++;
        }
        return len + rest;
    }

    /** A PAX header with {@code records} and a regular member "s" storing {@code data}. */
    private static byte[] paxSparse(Map<String, String> records, byte[] data) {
        StringBuilder pax = new StringBuilder();
        new TreeMap<>(records).forEach((k, v) -> pax.append(rec(k, v)));
        byte[] paxBytes = pax.toString().getBytes(StandardCharsets.US_ASCII);
        TarBuilder b = new TarBuilder().header("PaxHeaders/s", TarHeader.PAX_HEADER, 0644, paxBytes.length, "", 0, 0, Map.of())
                .raw(paxBytes).raw(new byte[(512 - paxBytes.length % 512) % 512]);
        b.header("s", TarHeader.REGULAR, 0644, data.length, "", 0, 0, Map.of()).raw(data)
                .raw(new byte[(512 - data.length % 512) % 512]);
        return b.tar();
    }

    private static void file(TarArchiveOutputStream out, String name, byte[] content, int mode, long uid, long gid)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(0100000 | mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(FileTime.from(Instant.ofEpochSecond(1_600_000_000)));
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    private static void fixChecksum(byte[] tar) {
        Arrays.fill(tar, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] digits = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, tar, 148, 8);
    }

    private static List<Member> ours(byte[] tar) throws IOException {
        List<Member> out = new ArrayList<>();
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        for (TarHeader h = reader.next(); h != null; h = reader.next()) {
            String type = h.isRegularFile() ? "file" : h.typeName();
            out.add(new Member(h.name(), type, h.isRegularFile() ? h.size() : 0, h.linkName(), h.uid(), h.gid(), h.mode(),
                    h.mtime().getEpochSecond(), reader.content().readAllBytes()));
        }
        assertNull(reader.next());
        return out;
    }

    private static List<Member> commonsCompress(byte[] tar) throws IOException {
        List<Member> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(new ByteArrayInputStream(tar)),
                StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                String type = e.isDirectory() ? "directory" : e.isSymbolicLink() ? "symlink" : e.isLink() ? "hardlink" : "file";
                out.add(new Member(e.getName(), type, type.equals("file") ? e.getRealSize() : 0, e.getLinkName(),
                        e.getLongUserId(), e.getLongGroupId(), e.getMode() & 07777,
                        Math.floorDiv(e.getModTime().getTime(), 1000), content));
            }
        }
        return out;
    }
}
