package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;

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
}
