package dev.jbuild.store;

import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.Digester;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams one blob into the store: bytes go to a private file under {@code tmp/} while they are
 * hashed, and {@link #commit()} verifies, fsyncs and renames the file into {@code blobs/}. Nothing
 * becomes visible under {@code blobs/} before it is complete and verified, and a blob that already
 * exists with the same size is left untouched (identical content, so the new copy is simply
 * dropped); one of another size is a damaged file, which the verified new copy replaces.
 *
 * <p>Close without commit, or any failure, deletes the temporary file: use try-with-resources.
 * Blob writes take no lock; concurrent writers of the same content each write their own temporary
 * file and the atomic rename makes either one the blob.
 *
 * <pre>{@code
 * try (BlobWriter w = store.blobWriter(expectedDigest, expectedSize)) {
 *     in.transferTo(w);
 *     Digest d = w.commit();
 * }
 * }</pre>
 */
public final class BlobWriter extends OutputStream {

    private final Blobs blobs;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private final Digester digester;
    private final Digest expected;
    private final long expectedSize;
    private Digest committed;
    private boolean closed;

    BlobWriter(Blobs blobs, Path temp, Digest expected, long expectedSize) throws IOException {
        this.blobs = blobs;
        this.temp = temp;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.digester = Digester.of(expected == null ? Digest.SHA256 : expected.algorithm());
        this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        // Fail as soon as the content outgrows its descriptor, not after the whole stream.
        if (expectedSize >= 0 && digester.size() + length > expectedSize) {
            abort();
            throw DigestMismatchException.size(expected, expectedSize, digester.size() + length);
        }
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            abort();
            throw blobs.writeFailure(e, temp);
        }
        digester.update(bytes, offset, length);
    }

    /** Bytes written so far. */
    long size() {
        return digester.size();
    }

    /**
     * Finishes the blob: checks the expected digest and size when given, makes the content durable
     * and moves it into place. On a mismatch the content is discarded and a
     * {@link DigestMismatchException} thrown.
     *
     * @return the blob's digest
     */
    public Digest commit() throws IOException {
        ensureOpen();
        try {
            out.flush();
            Digest actual = digester.digest();
            if (expectedSize >= 0 && digester.size() != expectedSize) {
                throw DigestMismatchException.size(expected, expectedSize, digester.size());
            }
            if (expected != null && !expected.equals(actual)) {
                throw DigestMismatchException.digest(expected, actual);
            }
            channel.force(true);
            out.close();
            closed = true;
            blobs.moveIntoPlace(temp, actual);
            committed = actual;
            return actual;
        } catch (IOException e) {
            // The last buffered bytes (flush) or their sync can be what finds the disk full.
            throw blobs.writeFailure(e, temp);
        } finally {
            if (committed == null) {
                abort();
            }
        }
    }

    /** Discards the content unless it was committed. */
    @Override
    public void close() throws IOException {
        if (committed == null) {
            abort();
        }
    }

    private void abort() throws IOException {
        if (!closed) {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                // The file is being thrown away; a failed close changes nothing.
            }
        }
        Files.deleteIfExists(temp);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException(committed != null ? "blob " + committed + " already committed" : "blob writer closed");
        }
    }
}
