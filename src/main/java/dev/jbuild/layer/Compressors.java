package dev.jbuild.layer;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/** Opens the compressing stream for a codec. Closing it finishes the stream but leaves the sink open. */
final class Compressors {
    static final int DEFAULT_GZIP_LEVEL = 6;
    static final int DEFAULT_ZSTD_LEVEL = 3;

    private Compressors() {
    }

    static OutputStream open(Compression compression, OutputStream sink, int level, int threads)
            throws IOException {
        OutputStream shielded = new ShieldedOutputStream(sink);
        return switch (compression) {
            case NONE -> shielded;
            case GZIP -> new ParallelGzipOutputStream(shielded, level < 0 ? DEFAULT_GZIP_LEVEL : level, threads);
            case ZSTD -> zstd(shielded, level < 0 ? DEFAULT_ZSTD_LEVEL : level, threads);
        };
    }

    /**
     * zstd always in multi-threaded mode (at least one worker): zstd's multi-threaded output depends on the
     * parameters but not on how many workers run, while worker count 0 (single-threaded mode) frames data
     * differently. So the digest is the same on a 2-core laptop and a 64-core runner. No checksum, no
     * flush-closes-frame: one frame, determined by the input.
     */
    private static OutputStream zstd(OutputStream out, int level, int threads) throws IOException {
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, level);
        zstd.setChecksum(false);
        zstd.setCloseFrameOnFlush(false);
        zstd.setWorkers(Math.max(1, threads));
        // A buffered stream above must not cut a zstd block mid-layer; closing ends the frame.
        return new ShieldedOutputStream(zstd, true);
    }
}
