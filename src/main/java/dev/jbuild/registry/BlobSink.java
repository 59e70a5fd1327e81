package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Where downloaded blobs go; the registry client knows nothing of how they are kept. The client
 * verifies digest and size while streaming and commits a target only when both match; a target
 * closed without commit must leave nothing behind. A store adapter is a few lines:
 *
 * <pre>{@code
 * BlobSink sink = new BlobSink() {
 *     public boolean has(Descriptor d) { return store.has(d.digest()); }
 *     public Target create(Descriptor d) throws IOException {
 *         BlobWriter w = store.blobWriter(d);
 *         return BlobSink.Target.of(w, w::commit);
 *     }
 * };
 * }</pre>
 */
public interface BlobSink {

    /** Whether the blob is already there, so that it need not be downloaded. */
    boolean has(Descriptor blob) throws IOException;

    /** A fresh, empty target for the blob's content. */
    Target create(Descriptor blob) throws IOException;

    /** One blob being written. */
    interface Target extends Closeable {

        OutputStream stream();

        /** The content is complete and verified: keep it. */
        void commit() throws IOException;

        /** Without a prior commit: discard whatever was written. */
        @Override
        void close() throws IOException;

        /** A target over an output stream that discards on close unless {@code commit} ran first. */
        static Target of(OutputStream stream, Commit commit) {
            return new Target() {
                @Override
                public OutputStream stream() {
                    return stream;
                }

                @Override
                public void commit() throws IOException {
                    commit.commit();
                }

                @Override
                public void close() throws IOException {
                    stream.close();
                }
            };
        }
    }

    /** The commit step of {@link Target#of}. */
    @FunctionalInterface
    interface Commit {
        Object commit() throws IOException;
    }
}
