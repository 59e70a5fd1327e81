package dev.jbuild.layer;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.jbuild.image.Digester;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Not a test: compares single-threaded {@link GZIPOutputStream} with {@link ParallelGzipOutputStream} (and
 * zstd) on semi-compressible data, or on a file's bytes when the first argument is {@code file=PATH} (so
 * that {@code pigz} can compress the same bytes: bench/layer-compression.sh). Run through
 * {@code bench/layer-compression.sh [MiB|file=PATH] [threads...]}.
 */
public final class GzipBenchmark {
    private GzipBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String source = args.length > 0 ? args[0] : "200";
        int[] threads = {1, 2, Runtime.getRuntime().availableProcessors()};
        if (args.length > 1) {
            threads = new int[args.length - 1];
            for (int i = 1; i < args.length; i++) {
                threads[i - 1] = Integer.parseInt(args[i]);
            }
        }
        byte[] data = source.startsWith("file=")
                ? Files.readAllBytes(Path.of(source.substring("file=".length())))
                : CompressionTest.semiCompressible(Integer.parseInt(source) << 20, 1);
        System.out.printf("input: %s (%.1f MiB), %d cores available%n", source.startsWith("file=") ? source.substring(5)
                : "semi-compressible", data.length / 1048576.0, Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < 2; round++) { // round 0 warms up the JIT
            boolean report = round == 1;
            run(report, "java.util.zip.GZIPOutputStream (level 6, 1 thread)", data, out -> new GZIPOutputStream(out, 1 << 16));
            for (int t : threads) {
                run(report, "ParallelGzipOutputStream level 6, " + t + " thread(s)", data,
                        out -> new ParallelGzipOutputStream(out, 6, t));
            }
            for (int t : threads) {
                run(report, "zstd level 3, " + t + " worker(s)", data, out -> {
                    ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, 3);
                    z.setWorkers(t);
                    return z;
                });
            }
        }
    }

    private interface Codec {
        OutputStream open(OutputStream out) throws IOException;
    }

    private static void run(boolean report, String name, byte[] data, Codec codec) throws IOException {
        HashingSink sink = new HashingSink();
        long start = System.nanoTime();
        try (OutputStream out = codec.open(sink)) {
            for (int off = 0; off < data.length; off += 1 << 16) {
                out.write(data, off, Math.min(1 << 16, data.length - off));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (report) {
            System.out.printf("%-55s %6.2f s %7.1f MiB/s  ratio %.3f  sha256 %s%n", name, seconds,
                    data.length / 1048576.0 / seconds, sink.count / (double) data.length, sink.hex().substring(0, 16));
        }
    }

    /** Counts and hashes the compressed bytes without keeping them. */
    private static final class HashingSink extends OutputStream {
        private final Digester sha = Digester.sha256();
        private long count;

        @Override
        public void write(int b) {
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
            count += len;
        }

        String hex() {
            return sha.digest().hex();
        }
    }
}
