package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

/**
 * Where a push reads content by its descriptor: the blobs and, for an index, the child manifests
 * (the counterpart of {@link BlobSink}, which a pull writes to). For a store,
 * {@code d -> store.open(d.digest())}. Content may be opened more than once (an upload that is
 * restarted reads it again), so each call must return a new stream from the start.
 * ({@code layer.ContentSource} is something else: one file's bytes for a layer being written.)
 */
@FunctionalInterface
public interface BlobSource {

    InputStream open(Descriptor content) throws IOException;

    /**
     * The size of {@code content} here; empty when it is not here or cannot be told without
     * reading it. A push compares it with every blob's descriptor before it sends anything, so a
     * truncated file is refused as the local damage it is rather than failing its upload.
     */
    default OptionalLong size(Descriptor content) throws IOException {
        return OptionalLong.empty();
    }

    /** Where the content is, for messages about it: {@code the store (/path)}. */
    default String where() {
        return "the content to push";
    }
}
