package dev.jbuild.engine.cache;

import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.registry.PushResult;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code --cache-to} destinations of one build (type=local and type=registry; type=inline is
 * part of the image commit). Keys are collected from every platform's build and exported once at
 * the end, so a multi-platform build writes one cache holding every platform's records (keys
 * include the platform, so they never collide).
 */
public final class CacheExports {

    private final List<CacheOptions.CacheExport> exports;
    private final Set<String> finalImageKeys = new LinkedHashSet<>();
    private final Set<String> allKeys = new LinkedHashSet<>();

    public CacheExports(List<CacheOptions.CacheExport> exports) {
        this.exports = exports;
    }

    /** Remembers the keys one platform's build used or made (platforms build at the same time). */
    public synchronized void collect(BuildCache cache, Set<Integer> finalImageStages) {
        if (!exports.isEmpty()) {
            finalImageKeys.addAll(cache.keys(finalImageStages, false));
            allKeys.addAll(cache.keys(finalImageStages, true));
        }
    }

    /**
     * Writes every local and registry destination. A failure fails the build unless the
     * destination says {@code ignore-error=true}; then it is a warning.
     *
     * @param built the build's result: when it was pushed, the registry export can mount its layers
     *     from the pushed repository instead of uploading them again
     */
    public void export(Store store, CacheSources records, ImageTransfer transfer, BuildListener listener, BuildResult built,
            Supplier<StepId> stepIds) throws BuildException {
        for (CacheOptions.CacheExport export : exports) {
            Set<String> keys;
            synchronized (this) {
                keys = new LinkedHashSet<>(export.allStages() ? allKeys : finalImageKeys);
            }
            try {
                if (export instanceof CacheOptions.LocalExport local) {
                    CacheDirectory.export(store, records, keys, local.directory());
                } else if (export instanceof CacheOptions.RegistryExport registry) {
                    if (transfer == null) {
                        throw new IOException("no registry access");
                    }
                    // A push step: after every stage, the only transfer running (BuildListener#PUSH).
                    StepId step = stepIds.get();
                    listener.stepStarted(step, BuildListener.PUSH, 0, 0, "exporting cache to " + registry.ref());
                    long started = System.nanoTime();
                    PushResult result = RegistryCache.export(store, records, keys, registry.ref(), transfer, mountSources(store, built));
                    listener.log(step, "pushed " + registry.ref() + "@" + result.digest() + " (" + keys.size() + " records)");
                    listener.stepFinished(step, Duration.ofNanos(System.nanoTime() - started));
                }
            } catch (IOException | RuntimeException e) {
                String where = export instanceof CacheOptions.RegistryExport registry ? registry.ref().toString()
                        : export instanceof CacheOptions.LocalExport local ? local.directory().toString() : "inline";
                if (!export.ignoreError()) {
                    throw new BuildException(null, "exporting the build cache to " + where + ": " + e.getMessage()
                            + " (add ignore-error=true to --cache-to to only warn)", e);
                }
                listener.warning("could not export the build cache to " + where + ": " + e.getMessage());
            }
        }
    }

    /** The built image's layers, found in the repository it was pushed to (none when not pushed). */
    private static Map<Digest, ImageName> mountSources(Store store, BuildResult built) {
        Map<Digest, ImageName> sources = new HashMap<>();
        if (built.pushed().isEmpty()) {
            return sources;
        }
        try {
            ImageName pushed = ImageName.parse(built.pushed().get(0));
            ManifestOrIndex root = ImageDocuments.parseManifestOrIndex(store.readBytes(built.manifest().digest())).value();
            List<Descriptor> manifests = root instanceof Index index ? index.manifests() : List.of(built.manifest());
            for (Descriptor descriptor : manifests) {
                Manifest manifest = ImageDocuments.parseManifest(store.readBytes(descriptor.digest())).value();
                manifest.layers().forEach(layer -> sources.put(layer.digest(), pushed));
            }
        } catch (IOException | RuntimeException e) {
            // Only an optimisation: without it the layers are uploaded (or found already there).
        }
        return sources;
    }
}
