package dev.jbuild.build;

import java.util.Set;

/**
 * How a build uses the local build cache. Records are written in every case, so a build with
 * {@code --no-cache} still refreshes the cache for the next one (as BuildKit does).
 *
 * @param noCache     look nothing up ({@code --no-cache})
 * @param noCacheFor  stages (by name, or index as text) whose steps are never taken from the cache
 *                    ({@code --no-cache-filter}); steps of other stages still are
 */
public record CacheOptions(boolean noCache, Set<String> noCacheFor, java.util.List<java.nio.file.Path> importFrom,
        CacheExport exportTo) {

    public static final CacheOptions DEFAULT = new CacheOptions(false, Set.of());

    /**
     * {@code --cache-to type=local,dest=DIR,mode=min|max}: after the build, the records (and their
     * layers) of the steps of the final image's stages ({@code max}: of every stage) are copied to
     * {@code directory}, for a later build's {@code --cache-from type=local,src=DIR}.
     */
    public record CacheExport(java.nio.file.Path directory, boolean allStages) {}

    public CacheOptions(boolean noCache, Set<String> noCacheFor) {
        this(noCache, noCacheFor, java.util.List.of(), null);
    }

    public CacheOptions {
        noCacheFor = Set.copyOf(noCacheFor);
        importFrom = java.util.List.copyOf(importFrom);
    }
}
