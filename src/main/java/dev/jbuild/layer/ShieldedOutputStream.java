package dev.jbuild.layer;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Forwards writes but not {@code flush()} or {@code close()}: keeps the caller's sink open when a
 * compressor closes its output, and keeps stray flushes from cutting compressed blocks (a flush in the
 * middle of a zstd or deflate stream changes the bytes, and so the digest).
 */
final class ShieldedOutputStream extends OutputStream {
    private final OutputStream out;

    ShieldedOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void flush() {
        // deliberately not forwarded
    }

    @Override
    public void close() {
        // deliberately not forwarded
    }
}
