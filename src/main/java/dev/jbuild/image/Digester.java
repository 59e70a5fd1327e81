package dev.jbuild.image;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Computes a {@link Digest} and a byte count over content as it streams past, so layers and blobs
 * are hashed while they are written or read instead of in a second pass. Not thread-safe; one
 * digester follows one stream. The one place jbuild sets up SHA-256 (with {@link Digest}, whose
 * {@code newMessageDigest} it calls): blobs, layers, cache keys, context file hashes and ADD
 * downloads all hash through it, so the algorithm's name and the hex form are written once.
 *
 * <pre>{@code
 * Digester d = Digester.sha256();
 * try (InputStream in = d.wrap(source)) { in.transferTo(sink); }
 * Digest digest = d.digest(); long size = d.size();
 * }</pre>
 */
public final class Digester {

    private final String algorithm;
    private final MessageDigest messageDigest;
    private long size;
    private Digest result;

    private Digester(String algorithm) {
        this.algorithm = algorithm;
        this.messageDigest = Digest.newMessageDigest(algorithm);
    }

    public static Digester sha256() {
        return new Digester(Digest.SHA256);
    }

    /** A digester for {@code algorithm} ({@code sha256} or {@code sha512}). */
    public static Digester of(String algorithm) {
        return new Digester(algorithm);
    }

    public String algorithm() {
        return algorithm;
    }

    public void update(byte[] bytes, int offset, int length) {
        open();
        messageDigest.update(bytes, offset, length);
        size += length;
    }

    public void update(byte[] bytes) {
        update(bytes, 0, bytes.length);
    }

    public void update(byte b) {
        open();
        messageDigest.update(b);
        size++;
    }

    private void open() {
        if (result != null) {
            throw new IllegalStateException("digest already computed");
        }
    }

    /** Bytes seen so far. */
    public long size() {
        return size;
    }

    /** The digest of everything seen; after this call the digester accepts no more bytes. */
    public Digest digest() {
        if (result == null) {
            result = new Digest(algorithm, HexFormat.of().formatHex(messageDigest.digest()));
        }
        return result;
    }

    /** An input stream that reads {@code in} and digests every byte read through it. */
    public InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    update((byte) b);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    update(buffer, offset, n);
                }
                return n;
            }

            // Skipped bytes would escape the digest; read them instead.
            @Override
            public long skip(long n) throws IOException {
                byte[] buffer = new byte[8192];
                long skipped = 0;
                while (skipped < n) {
                    int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    /** An output stream that digests every byte and passes it on to {@code out}. */
    public OutputStream wrap(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                update((byte) b);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                out.write(buffer, offset, length);
                update(buffer, offset, length);
            }
        };
    }

    /** An output stream that only digests (and discards) what is written to it. */
    public OutputStream outputStream() {
        return wrap(OutputStream.nullOutputStream());
    }
}
