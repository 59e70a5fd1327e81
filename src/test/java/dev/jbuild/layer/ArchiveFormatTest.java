package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;

/** The one compression sniffer: which format each kind of input is, and what each caller takes. */
class ArchiveFormatTest {

    /** "hello.txt" containing "hi xz\n", made with xz(1) (commons-compress cannot write xz without tukaani). */
    private static final String XZ_TAR = "/Td6WFoAAAFpIt42AgAhARwAAAAQz1jM4Cf/AHNdADQZSe6N8LrI/5v/8gxprxHrY1SJJZ2XGwZS"
            + "gVN4F0v4FWBhFHO05xMWEL5M2vekItrwIlPLS4uCzIRf6xLH/5h7JaPa33FlDCeb7x6ybobarWDp4Cxl+pM7c8teTvau8WWMrpH"
            + "QHeixh30pUd0J9OaE2QAAAIXQ3qoAAYsBgFAAAP2Bpws+MA2LAgAAAAABWVo=";

    private static final byte[] TAR = new TarBuilder().file("hello.txt", "hello").tar();

    record Row(String input, byte[] bytes, ArchiveFormat format, boolean archive) {}

    @Test
    void eachInputIsSniffedAsItsFormat() throws IOException {
        byte[] v7 = TAR.clone(); // a pre-POSIX header: no magic, only its checksum says it is one
        Arrays.fill(v7, 257, 265, (byte) 0);
        fixChecksum(v7);
        byte[] bzhNamed = new TarBuilder().file("BZh91AY&SY", "not bzip2").tar();
        byte[] gzipNamed = TAR.clone(); // a first member named "\x1f\x8b…"
        gzipNamed[0] = 0x1f;
        gzipNamed[1] = (byte) 0x8b;
        fixChecksum(gzipNamed);
        byte[] skippable = concat(new byte[] {0x5a, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'j', 'b', 'l', 'd'}, Zstd.compress(TAR));
        List<Row> table = List.of(
                new Row("plain tar", TAR, ArchiveFormat.TAR, true),
                new Row("v7 tar without magic", v7, ArchiveFormat.TAR, true),
                new Row("tar whose first member is named BZh…", bzhNamed, ArchiveFormat.TAR, true),
                new Row("tar whose first member starts with gzip's magic", gzipNamed, ArchiveFormat.TAR, true),
                new Row("gzip", TarBuilder.gzip(TAR), ArchiveFormat.GZIP, true),
                new Row("gzip members concatenated", concat(TarBuilder.gzip(Arrays.copyOf(TAR, 700)),
                        TarBuilder.gzip(Arrays.copyOfRange(TAR, 700, TAR.length))), ArchiveFormat.GZIP, true),
                new Row("bzip2", bzip2(TAR), ArchiveFormat.BZIP2, true),
                new Row("xz", Base64.getDecoder().decode(XZ_TAR), ArchiveFormat.XZ, true),
                new Row("zstd", Zstd.compress(TAR), ArchiveFormat.ZSTD, true),
                new Row("zstd behind a skippable frame", skippable, ArchiveFormat.ZSTD, true),
                new Row("empty", new byte[0], ArchiveFormat.TAR, false),
                new Row("a Dockerfile", "FROM scratch\nCOPY . /\n".getBytes(StandardCharsets.UTF_8), ArchiveFormat.TAR, false),
                new Row("text starting with BZh", "BZh is how bzip2 starts".getBytes(StandardCharsets.UTF_8),
                        ArchiveFormat.BZIP2, true));
        for (Row row : table) {
            byte[] head = Arrays.copyOf(row.bytes(), Math.min(row.bytes().length, ArchiveFormat.HEAD));
            assertEquals(row.format(), ArchiveFormat.sniff(head), row.input());
            assertEquals(row.archive(), ArchiveFormat.isArchive(head), row.input());
            BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(row.bytes()));
            assertEquals(row.format(), ArchiveFormat.peek(in), row.input());
            assertArrayEquals(row.bytes(), in.readAllBytes(), row.input() + ": peek leaves the stream where it was");
            if (row.archive() && !row.input().startsWith("text")) {
                byte[] tar = row.format().decompress(new ByteArrayInputStream(row.bytes())).readAllBytes();
                TarReader reader = new TarReader(new ByteArrayInputStream(tar));
                assertTrue(reader.next() != null, row.input() + " decompresses to a tar");
            }
        }
    }

    @Test
    void eachCallerTakesItsFormats() throws LayerException {
        assertEquals(Set.of(ArchiveFormat.TAR, ArchiveFormat.GZIP, ArchiveFormat.ZSTD), TarRules.LAYER.formats());
        assertEquals(Set.of(ArchiveFormat.values()), TarRules.CONTEXT.formats());
        // BuildKit's ADD (moby's DecompressStream) takes zstd besides gzip, bzip2 and xz
        assertEquals(Set.of(ArchiveFormat.values()), TarRules.ARCHIVE.formats());
        for (ArchiveFormat f : List.of(ArchiveFormat.BZIP2, ArchiveFormat.XZ)) {
            LayerException e = assertThrows(LayerException.class, () -> TarRules.LAYER.accept(f));
            assertTrue(e.getMessage().contains("unsupported compression (" + f.displayName() + ")"), e.getMessage());
            assertTrue(f.layerCompression().isEmpty());
        }
        assertEquals(Compression.ZSTD, ArchiveFormat.ZSTD.layerCompression().orElseThrow());
    }

    @Test
    void concatenatedGzipMembersAreReadToTheEndEvenFromAPipe() throws IOException {
        byte[] first = CompressionTest.semiCompressible(300_000, 3);
        byte[] second = CompressionTest.semiCompressible(200_000, 4);
        byte[] firstMember = TarBuilder.gzip(first);
        byte[] both = concat(firstMember, TarBuilder.gzip(second));
        // A pipe whose writer flushed after the first member: a read ends there, and available() is 0
        // because nothing more has arrived yet.
        InputStream pipe = new InputStream() {
            private final ByteArrayInputStream in = new ByteArrayInputStream(both);
            private int position;

            @Override
            public int read() {
                position++;
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int untilBoundary = position < firstMember.length ? firstMember.length - position : len;
                int n = in.read(b, off, Math.min(len, untilBoundary));
                position += Math.max(n, 0);
                return n;
            }

            @Override
            public int available() {
                return 0;
            }
        };
        assertArrayEquals(concat(first, second), ArchiveFormat.GZIP.decompress(pipe).readAllBytes());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] bzip2(byte[] data) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream out = new BZip2CompressorOutputStream(buf)) {
            out.write(data);
        }
        return buf.toByteArray();
    }

    static void fixChecksum(byte[] tar) {
        Arrays.fill(tar, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, tar, 148, 8);
    }
}
