package dev.jbuild.engine.api;

import dev.jbuild.image.ImageName;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a build uses the build cache. Records are written to the store in every case, so a build with
 * {@code --no-cache} still refreshes the cache for the next one (as BuildKit does).
 *
 * @param noCache     look nothing up ({@code --no-cache})
 * @param noCacheFor  stages (by name, or index as text) whose steps are never taken from the cache
 *                    ({@code --no-cache-filter}); steps of other stages still are
 * @param importFrom  where to look, in this order, for a step the store has no record of
 *                    ({@code --cache-from})
 * @param exportTo    where to put this build's records after it ({@code --cache-to}); several allowed
 */
public record CacheOptions(boolean noCache, Set<String> noCacheFor, List<CacheImport> importFrom, List<CacheExport> exportTo) {

    public static final CacheOptions DEFAULT = new CacheOptions(false, Set.of());

    /** A {@code --cache-from} source. */
    public sealed interface CacheImport permits LocalImport, RegistryImport {}

    /** {@code type=local,src=DIR}: a directory written by {@code --cache-to type=local}. */
    public record LocalImport(Path directory) implements CacheImport {
        public LocalImport {
            Objects.requireNonNull(directory, "directory");
        }
    }

    /**
     * {@code type=registry,ref=REF}: a cache pushed by {@code --cache-to type=registry}, or an image
     * pushed with {@code --cache-to type=inline} (told apart by what REF resolves to).
     */
    public record RegistryImport(ImageName ref) implements CacheImport {
        public RegistryImport {
            Objects.requireNonNull(ref, "ref");
        }
    }

    /**
     * A {@code --cache-to} destination. {@code allStages} is {@code mode=max} (records of every stage
     * the build ran), else {@code mode=min} (of the final image's stages only); {@code ignoreError}
     * makes a failed export a warning instead of a failed build.
     */
    public sealed interface CacheExport permits LocalExport, RegistryExport, InlineExport {
        boolean allStages();

        boolean ignoreError();
    }

    /** {@code type=local,dest=DIR}: records and layers copied to a directory. */
    public record LocalExport(Path directory, boolean allStages, boolean ignoreError) implements CacheExport {
        public LocalExport {
            Objects.requireNonNull(directory, "directory");
        }
    }

    /** {@code type=registry,ref=REF}: records in a cache config, layers as blobs, pushed as REF (docs/caching.md). */
    public record RegistryExport(ImageName ref, boolean allStages, boolean ignoreError) implements CacheExport {
        public RegistryExport {
            Objects.requireNonNull(ref, "ref");
        }
    }

    /**
     * {@code type=inline}: the records of the final image's steps in the image's own config; always
     * {@code mode=min}, since only the final image's layers travel with it.
     */
    public record InlineExport() implements CacheExport {
        @Override
        public boolean allStages() {
            return false;
        }

        @Override
        public boolean ignoreError() {
            return false;
        }
    }

    public CacheOptions(boolean noCache, Set<String> noCacheFor) {
        this(noCache, noCacheFor, List.of(), List.of());
    }

    public CacheOptions {
        noCacheFor = Set.copyOf(noCacheFor);
        importFrom = List.copyOf(importFrom);
        exportTo = List.copyOf(exportTo);
    }

    /** Whether the final image's config carries its cache records ({@code --cache-to type=inline}). */
    public boolean inline() {
        return exportTo.stream().anyMatch(InlineExport.class::isInstance);
    }
}
