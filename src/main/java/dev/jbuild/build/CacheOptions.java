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
public record CacheOptions(boolean noCache, Set<String> noCacheFor) {

    public static final CacheOptions DEFAULT = new CacheOptions(false, Set.of());

    public CacheOptions {
        noCacheFor = Set.copyOf(noCacheFor);
    }
}
