package dev.jbuild.engine.cache;

import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.util.Optional;

/**
 * Somewhere outside the store a build looks for a step's record ({@code --cache-from}). A source
 * is asked only for keys the store has no record of; the layer a hit record names is copied into
 * the store only when the build reads it ({@link CacheSources}).
 */
sealed interface CacheSource permits CacheDirectory, RegistryCache {

    /**
     * The record of {@code key} (64 hex digits, checked by the caller), if this source has it.
     *
     * @param platform the platform being built: an image with inline cache is resolved for it
     */
    Optional<BuildCache.Entry> record(String key, Platform platform) throws IOException;

    /** Copies {@code layer} into {@code store}, digest and size verified; an error if this source cannot. */
    void fetchLayer(LayerRecord layer, Store store) throws IOException;

    /**
     * Puts this source's index of {@code layer}'s files into the store's layer-index cache, if it
     * has one, so that a step can be keyed on the layer's files without its blob. Best effort.
     */
    default void fetchLayerIndex(LayerRecord layer, Store store) {}

    /** How the source is named in warnings. */
    String describe();
}
