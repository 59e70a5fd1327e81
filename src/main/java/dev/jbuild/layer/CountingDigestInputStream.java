package dev.jbuild.layer;

import dev.jbuild.image.Digester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Hashes and counts every byte read through it. No mark/reset: each byte is hashed exactly once. */
final class CountingDigestInputStream extends FilterInputStream {
    private final Digester digester = Digester.sha256();

    CountingDigestInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digester.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digester.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Read instead of skipping so skipped bytes are hashed too.
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end so the digest covers the whole stream (trailing padding included). */
    void drain() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    long count() {
        return digester.size();
    }

    String digest() {
        return digester.digest().toString();
    }
}
