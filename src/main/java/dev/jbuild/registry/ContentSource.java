package dev.jbuild.registry;

import dev.jbuild.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where blobs and child manifests to push are read from; for a store,
 * {@code d -> store.open(d.digest())}. Content may be opened more than once (an upload that is
 * restarted reads it again), so each call must return a new stream from the start.
 */
@FunctionalInterface
public interface ContentSource {

    InputStream open(Descriptor content) throws IOException;
}
