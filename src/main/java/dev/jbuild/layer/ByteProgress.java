package dev.jbuild.layer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * Told how many bytes of long work are done: the layer writer reports file content written, the
 * extractor's callers compressed bytes read. Calls are throttled ({@link #throttled}), so an
 * implementation may print or serialise each one.
 */
@FunctionalInterface
public interface ByteProgress {

    /** {@code done} of {@code total} bytes (total -1 when unknown). */
    void bytes(long done, long total);

    ByteProgress NONE = (done, total) -> { };

    /**
     * A counter that passes {@code target} at most one call per {@code intervalNanos} (and the
     * first one after the work has run that long), looking at the clock only every 256 KiB so that
     * counting costs nothing measurable next to the I/O; the caller reports the end itself.
     */
    static Counter throttled(ByteProgress target, long total, long intervalNanos) {
        return new Counter(target, total, intervalNanos, System::nanoTime);
    }

    /** Counts bytes and reports them through a {@link ByteProgress} at a bounded rate. */
    final class Counter {
        private static final long CLOCK_EVERY = 256 * 1024;
        private final ByteProgress target;
        private final long total;
        private final long interval;
        private final LongSupplier clock;
        private long done;
        private long nextClockLook = CLOCK_EVERY;
        private long lastReport;

        /** {@code clock} in nanoseconds: {@link System#nanoTime} but in the counter's own test. */
        Counter(ByteProgress target, long total, long interval, LongSupplier clock) {
            this.target = target;
            this.total = total;
            this.interval = interval;
            this.clock = clock;
            this.lastReport = clock.getAsLong();
        }

        void add(long bytes) {
            done += bytes;
            if (done < nextClockLook || target == NONE) {
                return;
            }
            nextClockLook = done + CLOCK_EVERY;
            long now = clock.getAsLong();
            if (now - lastReport >= interval) {
                lastReport = now;
                target.bytes(done, total);
            }
        }

        /** {@code in}, counting what is read from it here (for the extractor: the compressed bytes of a blob). */
        public InputStream counting(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        add(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    if (n > 0) {
                        add(n);
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    long skipped = super.skip(n);
                    add(skipped);
                    return skipped;
                }
            };
        }
    }
}
