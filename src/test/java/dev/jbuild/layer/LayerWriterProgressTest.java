package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layer writer reports the file content it has written while it writes, at a bounded rate. */
class LayerWriterProgressTest {

    private static final int MIB = 1024 * 1024;

    /** Content that arrives slowly, a MiB every 40 ms, as from a slow disk: the work takes long enough to report. */
    private static ContentSource slow(int mebibytes) {
        return () -> new InputStream() {
            private long left = (long) mebibytes * MIB;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left == 0) {
                    return -1;
                }
                if (left % MIB == 0) {
                    try {
                        Thread.sleep(40);
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                    }
                }
                int n = (int) Math.min(Math.min(len, left), MIB - (((long) mebibytes * MIB - left) % MIB));
                Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    @Test
    void reportsBytesOfContentDoneOfTheTotalAtMostEvery100Milliseconds() throws Exception {
        List<long[]> calls = new ArrayList<>();
        EntryAttributes file = EntryAttributes.of(0644);
        List<LayerEntry> entries = List.of(new LayerEntry.RegularFile("a", file, 12L * MIB, slow(12)),
                new LayerEntry.RegularFile("b", file, 4L * MIB, slow(4)),
                LayerEntry.RegularFile.of("small", file, new byte[100]));
        long started = System.nanoTime();
        LayerResult result = new LayerWriter(LayerWriter.Options.defaults()).write(entries, new ByteArrayOutputStream(),
                (done, total) -> {
                    calls.add(new long[] {done, total});
                });
        long elapsed = System.nanoTime() - started;
        long total = 16L * MIB + 100;
        assertTrue(calls.size() >= 3, "16 MiB at 25 MiB/s takes 0.64 s: several reports, got " + calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(total, calls.get(i)[1], "the total is the content of every file");
            assertTrue(calls.get(i)[0] > 0 && calls.get(i)[0] <= total);
            if (i > 0) {
                assertTrue(calls.get(i)[0] > calls.get(i - 1)[0], "bytes only grow");
            }
        }
        // Each report comes 100 ms or more after the one before (the first after the writer's start),
        // so n reports need n * 100 ms: the bound holds whatever the callback's own delays.
        assertTrue(calls.size() * 100_000_000L <= elapsed,
                "at most one report per 100 ms: " + calls.size() + " in " + elapsed / 1_000_000 + " ms");
        assertTrue(result.uncompressedSize() > total);
    }
}
