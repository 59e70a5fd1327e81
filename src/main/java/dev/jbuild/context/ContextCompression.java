package dev.jbuild.context;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Recognises how a context tar on stdin is compressed by its first bytes, as {@code docker build -}
 * does: gzip, bzip2, xz or zstd, else a plain tar.
 */
final class ContextCompression {

    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] BZIP2 = {'B', 'Z', 'h'};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0x00};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] USTAR = {'u', 's', 't', 'a', 'r'};
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final int TAR_BLOCK = 512;

    private ContextCompression() {}

    /** The uncompressed tar stream of {@code in}. */
    static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        buffered.mark(TAR_BLOCK);
        byte[] head = buffered.readNBytes(TAR_BLOCK);
        buffered.reset();
        // A tar header first: a file named "BZh..." must not pass for bzip2.
        if (head.length == TAR_BLOCK && startsWith(head, TAR_MAGIC_OFFSET, USTAR)) {
            return buffered;
        }
        if (startsWith(head, 0, GZIP)) {
            return GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
        }
        if (startsWith(head, 0, BZIP2)) {
            return new BZip2CompressorInputStream(buffered, true);
        }
        if (startsWith(head, 0, XZ)) {
            if (!XZUtils.isXZCompressionAvailable()) {
                throw new IOException("xz-compressed build context: xz support (org.tukaani:xz) is not on the class path");
            }
            return XZCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
        }
        if (startsWith(head, 0, ZSTD)) {
            return new ZstdCompressorInputStream(buffered);
        }
        return buffered;
    }

    /**
     * Whether the first bytes of standard input start a context archive (a compressed stream or a tar
     * header) rather than a Dockerfile: docker's test for {@code docker build - < FILE}.
     */
    static boolean isArchive(byte[] head) {
        return startsWith(head, 0, GZIP) || startsWith(head, 0, BZIP2) || startsWith(head, 0, XZ) || startsWith(head, 0, ZSTD)
                || isTarHeader(head);
    }

    /** A tar header block: the POSIX magic, or (pre-POSIX tars have none) a matching header checksum. */
    static boolean isTarHeader(byte[] header) {
        if (header.length < TAR_BLOCK) {
            return false;
        }
        if (startsWith(header, TAR_MAGIC_OFFSET, USTAR)) {
            return true;
        }
        String field = new String(header, 148, 8, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
        if (field.isEmpty() || !field.chars().allMatch(c -> c >= '0' && c <= '7')) {
            return false;
        }
        long expected = Long.parseLong(field, 8);
        long sum = 0;
        for (int i = 0; i < TAR_BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        return sum == expected && header[0] != 0;
    }

    private static boolean startsWith(byte[] data, int offset, byte[] magic) {
        return data.length >= offset + magic.length
                && Arrays.equals(data, offset, offset + magic.length, magic, 0, magic.length);
    }
}
