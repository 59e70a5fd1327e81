package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import com.sun.management.ThreadMXBean;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressionTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

    @TempDir
    Path tmp;

    /** Text-like data that compresses but not trivially; deterministic. */
    static byte[] semiCompressible(int size, long seed) {
        Random random = new Random(seed);
        String[] words = {"layer", "image", "manifest", "blob", "digest", "sha256", "tar", "gzip", "zstd",
            "overlay", "whiteout", "config", "/usr/lib/x86_64-linux-gnu/", "\n", " ", "0123456789"};
        byte[] out = new byte[size];
        int i = 0;
        while (i < size) {
            if (random.nextInt(8) == 0) {
                out[i++] = (byte) random.nextInt(256);
                continue;
            }
            byte[] w = words[random.nextInt(words.length)].getBytes();
            int n = Math.min(w.length, size - i);
            System.arraycopy(w, 0, out, i, n);
            i += n;
        }
        return out;
    }

    @Test
    void parallelGzipIsValidAndIdenticalForEveryThreadCountAndWritePattern() throws IOException {
        for (int size : new int[] {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 123}) {
            byte[] data = semiCompressible(size, size);
            byte[] reference = gzip(data, 1, Integer.MAX_VALUE);
            assertArrayEquals(data, gunzip(reference), "size " + size);
            for (int threads : new int[] {2, 4, 8}) {
                for (int chunk : new int[] {1 << 20, 4093, 512}) {
                    assertArrayEquals(reference, gzip(data, threads, chunk),
                            "size " + size + " threads " + threads + " chunk " + chunk);
                }
            }
        }
    }

    @Integration
    @Test
    void parallelGzipIsReadByTheGzipTool() throws Exception {
        byte[] data = semiCompressible(3 * BLOCK + 7, 42);
        Path gz = tmp.resolve("x.gz");
        Files.write(gz, gzip(data, 3, 65536));
        Process p = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
        assertArrayEquals(data, out);
    }

    @Test
    void zstdLayersRoundTripAndDoNotDependOnThreadCount() throws IOException {
        List<LayerEntry> entries = List.of(
                LayerEntry.RegularFile.of("a/big", EntryAttributes.of(0644), semiCompressible(3 << 20, 7)),
                LayerEntry.RegularFile.of("a/small", EntryAttributes.of(0644), "hello".getBytes()));
        byte[] reference = null;
        LayerResult referenceResult = null;
        for (int threads : new int[] {1, 2, 4}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LayerResult r = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.ZSTD)
                    .withThreads(threads)).write(entries, out);
            if (reference == null) {
                reference = out.toByteArray();
                referenceResult = r;
            } else {
                assertArrayEquals(reference, out.toByteArray(), "threads " + threads);
                assertEquals(referenceResult, r);
            }
        }
        byte[] tar;
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(reference))) {
            tar = in.readAllBytes();
        }
        assertEquals(Compression.ZSTD, referenceResult.compression());
        assertEquals(tar.length, referenceResult.uncompressedSize());
        assertEquals("sha256:" + TreeSnapshot.sha(tar), referenceResult.diffId());
        assertEquals("sha256:" + TreeSnapshot.sha(reference), referenceResult.digest());
        assertEquals(reference.length, referenceResult.compressedSize());
        assertEquals(2, LayerWriterTest.readAll(tar).size());
    }

    @Test
    void layerResultDescribesBothStreams() throws IOException {
        List<LayerEntry> entries = List.of(LayerEntry.RegularFile.of("f", EntryAttributes.of(0644),
                semiCompressible(BLOCK * 3, 1)));
        for (Compression c : Compression.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LayerResult r = new LayerWriter(LayerWriter.Options.defaults().withCompression(c).withThreads(2))
                    .write(entries, out);
            byte[] blob = out.toByteArray();
            byte[] tar = switch (c) {
                case NONE -> blob;
                case GZIP -> gunzip(blob);
                case ZSTD -> new ZstdInputStream(new ByteArrayInputStream(blob)).readAllBytes();
            };
            assertEquals("sha256:" + TreeSnapshot.sha(blob), r.digest(), c.name());
            assertEquals("sha256:" + TreeSnapshot.sha(tar), r.diffId(), c.name());
            assertEquals(blob.length, r.compressedSize());
            assertEquals(tar.length, r.uncompressedSize());
            assertEquals(c.mediaType(), r.mediaType());
            if (c != Compression.NONE) {
                assertTrue(blob.length < tar.length, c.name());
            }
        }
    }

    /**
     * The parallel gzip bytes are part of every layer digest: pin them for data with compressible and
     * incompressible blocks, so a change in how blocks are buffered cannot change a digest unnoticed.
     */
    @Test
    void parallelGzipBytesArePinned() throws Exception {
        byte[] data = new byte[7 * BLOCK + 4321];
        System.arraycopy(semiCompressible(4 * BLOCK, 7), 0, data, 0, 4 * BLOCK);
        byte[] noise = new byte[data.length - 4 * BLOCK];
        new Random(11).nextBytes(noise);
        System.arraycopy(noise, 0, data, 4 * BLOCK, noise.length);
        for (int threads : new int[] {1, 2}) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(gzip(data, threads, 8191));
            assertEquals("2d496addcdfc5acc44f49b859b0a7d6ba5dcc846457b09018eef45dd88c42392", HexFormat.of().formatHex(digest), "threads " + threads);
        }
    }

    /**
     * Compressing allocates about the block it buffers and the block's output, not a chain of growing
     * copies: the heap churn of a big layer decides how often a small-heap JVM collects. Measured on the
     * inline (one-thread) path, where every allocation is on this thread.
     */
    @Test
    void parallelGzipAllocatesLittleMoreThanItsInputAndOutput() throws IOException {
        byte[] data = new byte[64 * BLOCK];
        new Random(5).nextBytes(data); // incompressible: the output is as large as the input
        ThreadMXBean threads =
                (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        gzip(data, 1, 1 << 20); // warm up: class loading and JIT allocate too
        OutputStream sink = OutputStream.nullOutputStream();
        long before = threads.getThreadAllocatedBytes(id);
        try (OutputStream gz = new ParallelGzipOutputStream(sink, 6, 1)) {
            for (int off = 0; off < data.length; off += 1 << 20) {
                gz.write(data, off, 1 << 20);
            }
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // a fresh input block and one output array per block: ~2x the input; the old buffering took 4.3x
        assertTrue(allocated < 2.3 * data.length, "allocated " + allocated + " bytes for " + data.length);
    }

    static byte[] gzip(byte[] data, int threads, int chunk) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream gz = new ParallelGzipOutputStream(buf, 6, threads)) {
            for (int off = 0; off < data.length; off += chunk) {
                gz.write(data, off, Math.min(chunk, data.length - off));
                gz.flush(); // must not change the output
            }
        }
        return buf.toByteArray();
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
