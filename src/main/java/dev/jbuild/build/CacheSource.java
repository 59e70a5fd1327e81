package dev.jbuild.build;

import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.util.Optional;

/**
 * Somewhere outside the store a build looks for a step's record ({@code --cache-from}). Imports are
 * lazy: a source is asked only for a key the store has no record of, and copies that one record
 * into the store together with its layer, so a build takes only the layers it uses.
 */
sealed interface CacheSource permits CacheDirectory, RegistryCache {

    /**
     * The record of {@code key} (64 hex digits, checked by the caller), written into {@code store}
     * after its layer; empty when this source has none or cannot provide its layer.
     *
     * @param platform the platform being built: an image with inline cache is resolved for it
     */
    Optional<byte[]> importRecord(String key, Platform platform, Store store) throws IOException;

    /** How the source is named in warnings. */
    String describe();
}
