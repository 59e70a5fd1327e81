package dev.jbuild.layer;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Forwards writes but never {@code flush()}, and {@code close()} only when asked to: keeps stray
 * flushes from cutting compressed blocks (a flush in the middle of a zstd or deflate stream changes
 * the bytes, and so the digest), and keeps the caller's sink open when a compressor closes its output.
 */
final class ShieldedOutputStream extends OutputStream {
    private final OutputStream out;
    private final boolean forwardClose;

    /** Shields the caller's sink: neither flush nor close reach it. */
    ShieldedOutputStream(OutputStream out) {
        this(out, false);
    }

    ShieldedOutputStream(OutputStream out, boolean forwardClose) {
        this.out = out;
        this.forwardClose = forwardClose;
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
    public void close() throws IOException {
        if (forwardClose) {
            out.close();
        }
    }
}
