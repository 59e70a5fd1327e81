package dev.jbuild.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member compressed in parallel, pigz style. The input is cut into fixed {@value #BLOCK_SIZE}-byte
 * blocks; each block is raw-deflated on its own, primed with the last 32 KiB of the block before it as
 * dictionary, and ended with a sync flush (byte-aligned, not final) except the last, which finishes the
 * deflate stream. Concatenated in order, the pieces form one valid deflate stream; CRC32 and length are
 * computed serially over the input (cheap) for the trailer.
 *
 * <p>The bytes depend only on the input, the level and the block size, never on the thread count or
 * timing: one thread runs the same algorithm inline. Memory is bounded: at most {@code 2 * threads} blocks
 * are in flight. The block size is part of the output format; changing it changes every layer digest.
 * Determinism across machines also assumes the same zlib build (the JDK's, or Debian's system zlib).
 */
final class ParallelGzipOutputStream extends OutputStream {
    static final int BLOCK_SIZE = 128 * 1024;
    private static final int DICTIONARY_SIZE = 32 * 1024;
    // Go's compress/gzip header: no name, mtime 0, XFL 0, OS 255 (unknown) -- nothing host-specific.
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool; // null: compress inline
    private final int maxInFlight;
    private final ArrayDeque<Future<Deflated>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK_SIZE];
    private int filled;
    private byte[] dictionary; // the previous block, whose last DICTIONARY_SIZE bytes prime the next
    private int dictionaryLength;
    private long totalIn;
    private boolean closed;

    ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("gzip level must be 0..9: " + level);
        }
        this.out = out;
        this.level = level;
        int workers = Math.max(1, threads);
        this.maxInFlight = 2 * workers;
        this.pool = workers == 1 ? null : Executors.newFixedThreadPool(workers, daemonThreads());
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        crc.update(b, off, len);
        totalIn += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK_SIZE) {
                submit(false);
            }
        }
    }

    /** Does not cut a block: a flush must not change the compressed bytes. */
    @Override
    public void flush() {
    }

    /** Writes the last block and the trailer, closes {@code out}. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            while (!inFlight.isEmpty()) {
                writeOldest();
            }
            writeIntLE((int) crc.getValue());
            writeIntLE((int) totalIn); // ISIZE is the length modulo 2^32
        } finally {
            shutdown();
        }
        out.close();
    }

    /** Gives up after a failure elsewhere in the pipeline: stops the workers, writes nothing more. */
    void abort() {
        closed = true;
        shutdown();
    }

    private void submit(boolean last) throws IOException {
        byte[] data = block;
        int length = filled;
        byte[] dict = dictionary;
        int dictLength = dictionaryLength;
        // The next block's dictionary is this block's tail, read in place: a submitted block is never
        // written again (every block gets a fresh array), so blocks share no mutable state.
        dictionary = data;
        dictionaryLength = length;
        block = last ? null : new byte[BLOCK_SIZE];
        filled = 0;
        if (pool == null) {
            deflate(data, length, dict, dictLength, last, level).writeTo(out);
            return;
        }
        try {
            inFlight.add(pool.submit(() -> deflate(data, length, dict, dictLength, last, level)));
        } catch (RuntimeException e) {
            shutdown();
            throw new IOException("gzip worker pool rejected a block", e);
        }
        while (inFlight.size() >= maxInFlight) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Future<Deflated> oldest = inFlight.removeFirst();
        try {
            oldest.get().writeTo(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            shutdown();
            throw new IOException("gzip block compression failed", e.getCause());
        }
    }

    /** A block's deflate output: {@code bytes[0, length)}. */
    record Deflated(byte[] bytes, int length) {
        void writeTo(OutputStream out) throws IOException {
            out.write(bytes, 0, length);
        }
    }

    /**
     * Deflates {@code data[0, length)} primed with the last {@value #DICTIONARY_SIZE} bytes of
     * {@code previous[0, previousLength)}. The output goes into one array sized for incompressible input
     * (zlib's bound plus room for the sync flush), so a block costs one allocation, not a chain of
     * growing copies; zlib's output does not depend on how the output space is handed to it, so the
     * bytes are the same as with any other buffering.
     */
    static Deflated deflate(byte[] data, int length, byte[] previous, int previousLength, boolean last, int level) {
        Deflater deflater = new Deflater(level, true);
        try {
            if (previous != null && previousLength > 0) {
                int dictLength = Math.min(DICTIONARY_SIZE, previousLength);
                deflater.setDictionary(previous, previousLength - dictLength, dictLength);
            }
            deflater.setInput(data, 0, length);
            byte[] out = new byte[length + (length >>> 9) + 64];
            int written = 0;
            if (last) {
                deflater.finish();
            }
            while (true) {
                if (written == out.length) { // never for a sane zlib; kept so the loop cannot lose data
                    out = Arrays.copyOf(out, out.length * 2);
                }
                int space = out.length - written;
                int n = last
                        ? deflater.deflate(out, written, space)
                        : deflater.deflate(out, written, space, Deflater.SYNC_FLUSH);
                written += n;
                // finished() ends the last block; for a sync flush, output space left over means "done"
                if (last ? deflater.finished() : n < space) {
                    return new Deflated(out, written);
                }
            }
        } finally {
            deflater.end();
        }
    }

    private void writeIntLE(int v) throws IOException {
        out.write(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    private void shutdown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        inFlight.clear();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "jbuild-gzip-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
