package dev.jbuild.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Hashes and counts what passes through on its way to {@code out}. */
final class CountingDigestOutputStream extends OutputStream {
    private final OutputStream out;
    private final MessageDigest digest = Sha256.newDigest();
    private long count;

    CountingDigestOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    long count() {
        return count;
    }

    /** "sha256:…"; call once, after the last write. */
    String digest() {
        return Sha256.format(digest);
    }
}
