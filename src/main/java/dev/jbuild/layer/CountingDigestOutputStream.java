package dev.jbuild.layer;

import dev.jbuild.image.Digester;
import java.io.IOException;
import java.io.OutputStream;

/** Hashes and counts what passes through on its way to {@code out}. */
final class CountingDigestOutputStream extends OutputStream {
    private final OutputStream out;
    private final Digester digester = Digester.sha256();

    CountingDigestOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digester.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digester.update(b, off, len);
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
        return digester.size();
    }

    /** "sha256:…"; call once, after the last write. */
    String digest() {
        return digester.digest().toString();
    }
}
