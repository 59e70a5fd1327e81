package dev.jbuild.layer;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;

/**
 * How a tar stream is packed, recognised by its first bytes: the one place jbuild decides it, for layer
 * blobs, context tars ({@code jbuild build -}) and {@code ADD} archives alike. Which formats a caller takes
 * is part of its {@link TarRules}: layers are tar, gzip or zstd (the OCI media types); context tars and
 * {@code ADD} archives also bzip2 and xz, as moby's {@code DecompressStream}, which BuildKit's {@code ADD}
 * and the docker CLI use, accepts all five.
 *
 * <p>A tar header comes first: a plain tar whose first member is named {@code BZh…} is a tar, not a broken
 * bzip2 stream (moby looks at the magic bytes only and would call it bzip2). The decompressors read
 * concatenated streams to their end: gzip members (pigz, {@code cat a.gz b.gz}), zstd frames (and skippable
 * ones), bzip2 and xz streams.
 */
public enum ArchiveFormat {
    TAR,
    GZIP,
    BZIP2,
    XZ,
    ZSTD;

    /** Bytes {@link #peek} looks at: a whole tar header block. */
    public static final int HEAD = TarFormat.BLOCK;

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] BZIP2_MAGIC = {'B', 'Z', 'h'};
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0x00};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    /** Skippable zstd frames have the magic 0x184D2A50 to 0x184D2A5F (little-endian). */
    private static final byte[] ZSTD_SKIPPABLE = {0x50, 0x2a, 0x4d, 0x18};
    private static final byte[] USTAR = {'u', 's', 't', 'a', 'r'};
    private static final int MAGIC_OFFSET = 257;

    /**
     * The format of a stream that starts with {@code head} (its first {@link #HEAD} bytes, or all of a
     * shorter stream): {@link #TAR} for a tar header and for anything unrecognised (the tar reader then
     * says what is wrong).
     */
    static ArchiveFormat sniff(byte[] head) {
        if (isTarHeader(head)) {
            return TAR;
        }
        if (startsWith(head, GZIP_MAGIC)) {
            return GZIP;
        }
        if (startsWith(head, BZIP2_MAGIC)) {
            return BZIP2;
        }
        if (startsWith(head, XZ_MAGIC)) {
            return XZ;
        }
        if (startsWith(head, ZSTD_MAGIC) || head.length >= 8 && (head[0] & 0xf0) == ZSTD_SKIPPABLE[0]
                && Arrays.equals(head, 1, 4, ZSTD_SKIPPABLE, 1, 4)) {
            return ZSTD;
        }
        return TAR;
    }

    /** The format of {@code in}, which is left where it was (it must support mark, as a buffered stream does). */
    public static ArchiveFormat peek(BufferedInputStream in) throws IOException {
        in.mark(HEAD);
        byte[] head = in.readNBytes(HEAD);
        in.reset();
        return sniff(head);
    }

    /**
     * Whether a stream starting with {@code head} is an archive rather than text: compressed, or a tar
     * header. Docker's test for {@code docker build - < FILE} (a Dockerfile or a context).
     */
    public static boolean isArchive(byte[] head) {
        return isTarHeader(head) || sniff(head) != TAR;
    }

    /** A tar header block: the POSIX magic, or (pre-POSIX tars have none) a header checksum that matches. */
    public static boolean isTarHeader(byte[] header) {
        if (header.length < TarFormat.BLOCK) {
            return false;
        }
        if (Arrays.equals(header, MAGIC_OFFSET, MAGIC_OFFSET + USTAR.length, USTAR, 0, USTAR.length)) {
            return true;
        }
        String field = new String(header, 148, 8, StandardCharsets.US_ASCII).trim().replace("\0", "");
        if (field.isEmpty() || !field.chars().allMatch(c -> c >= '0' && c <= '7')) {
            return false;
        }
        long expected = Long.parseLong(field, 8);
        long sum = 0;
        for (int i = 0; i < TarFormat.BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        return sum == expected && header[0] != 0;
    }

    /** The tar stream inside {@code in}, which holds this format; closing it closes {@code in}. */
    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case TAR -> in;
            // The JDK's reader goes on to a next member only when available() says more bytes are there,
            // which a pipe may not yet; MoreInput answers by looking.
            case GZIP -> new GZIPInputStream(new MoreInput(in), 64 * 1024);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case XZ -> {
                if (!XZUtils.isXZCompressionAvailable()) {
                    throw new IOException("xz-compressed archive: xz support (org.tukaani:xz) is not on the class path");
                }
                yield XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            }
        };
    }

    /** The OCI layer compression of this format; empty for bzip2 and xz, which no layer media type names. */
    Optional<Compression> layerCompression() {
        return switch (this) {
            case TAR -> Optional.of(Compression.NONE);
            case GZIP -> Optional.of(Compression.GZIP);
            case ZSTD -> Optional.of(Compression.ZSTD);
            case BZIP2, XZ -> Optional.empty();
        };
    }

    /** Lower-case name for messages: "tar", "gzip", … */
    String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static boolean startsWith(byte[] data, byte[] magic) {
        return data.length >= magic.length && Arrays.equals(data, 0, magic.length, magic, 0, magic.length);
    }

    /**
     * {@code available()} that is 0 only at the end: {@link GZIPInputStream} reads a concatenated member
     * only if the stream says bytes are available, so a pipe that is momentarily empty would end the stream
     * after the first member. Looking blocks until a byte or the end arrives, which reading would do anyway.
     */
    private static final class MoreInput extends FilterInputStream {
        MoreInput(InputStream in) {
            super(in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024));
        }

        @Override
        public int available() throws IOException {
            int n = in.available();
            if (n > 0) {
                return n;
            }
            in.mark(1);
            int b = in.read();
            in.reset();
            return b < 0 ? 0 : 1;
        }
    }
}
