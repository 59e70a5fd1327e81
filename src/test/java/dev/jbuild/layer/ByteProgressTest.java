package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttled counter, on a clock the test moves: which byte counts reach the target, and when. */
class ByteProgressTest {

    private static final long MS = 1_000_000L;
    private static final int KIB_256 = 256 * 1024;

    @Test
    void passesAtMostOneCallPerIntervalAndNoneBeforeTheFirstInterval() throws Exception {
        AtomicLong now = new AtomicLong(5_000 * MS);
        List<Long> reported = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        ByteProgress.Counter counter = new ByteProgress.Counter((done, total) -> {
            reported.add(done);
            at.add(now.get());
            assertEquals(100L * KIB_256, total);
        }, 100L * KIB_256, 100 * MS, now::get);
        try (InputStream in = counter.counting(new ByteArrayInputStream(new byte[100 * KIB_256]))) {
            byte[] chunk = new byte[KIB_256];
            while (in.read(chunk) > 0) {
                now.addAndGet(30 * MS); // chunk k is counted at (k - 1) * 30 ms
            }
        }
        // The first report only once 100 ms have passed since the start: chunk 5, at 120 ms.
        assertEquals(5L * KIB_256, reported.get(0));
        assertEquals(120 * MS, at.get(0) - 5_000 * MS);
        for (int i = 1; i < at.size(); i++) {
            assertEquals(120 * MS, at.get(i) - at.get(i - 1), "one report per 4 chunks of 30 ms");
            assertEquals(reported.get(i - 1) + 4L * KIB_256, reported.get(i));
        }
        assertEquals(24, reported.size(), "chunks 5, 9, ..., 97");
    }

    @Test
    void looksAtTheClockOnlyEvery256KiB() throws Exception {
        AtomicLong looks = new AtomicLong();
        ByteProgress.Counter counter = new ByteProgress.Counter((done, total) -> { }, -1, 100 * MS, () -> {
            looks.incrementAndGet();
            return 0L;
        });
        try (InputStream in = counter.counting(new ByteArrayInputStream(new byte[10 * KIB_256]))) {
            byte[] small = new byte[4096];
            while (in.read(small) > 0) {
                // 640 reads of 4 KiB
            }
        }
        assertEquals(1 + 10, looks.get(), "once at the start, then once per 256 KiB");
    }
}
