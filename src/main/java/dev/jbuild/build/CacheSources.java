package dev.jbuild.build;

import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code --cache-from} sources of a build, asked in the order given. One instance serves every
 * platform of a build, so a registry cache's documents are fetched once. A source that fails is a
 * warning, never a failed build: the step then simply runs (buildx treats cache imports the same).
 */
final class CacheSources {

    static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    private final List<CacheSource> sources;
    private final BuildListener listener;

    CacheSources(List<CacheOptions.CacheImport> imports, ImageTransfer transfer, BuildListener listener) {
        this.listener = listener;
        List<CacheSource> list = new ArrayList<>();
        for (CacheOptions.CacheImport source : imports) {
            if (source instanceof CacheOptions.LocalImport local) {
                list.add(new CacheDirectory(local.directory()));
            } else if (source instanceof CacheOptions.RegistryImport registry) {
                list.add(new RegistryCache(registry.ref(), transfer, listener));
            }
        }
        this.sources = List.copyOf(list);
    }

    /** The record of {@code key} from the first source that has it, now also in the store; empty if none has. */
    Optional<byte[]> importRecord(String key, Platform platform, Store store) {
        if (sources.isEmpty() || !KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        for (CacheSource source : sources) {
            try {
                Optional<byte[]> record = source.importRecord(key, platform, store);
                if (record.isPresent()) {
                    return record;
                }
            } catch (IOException | RuntimeException e) {
                listener.warning("cache record " + key + " from " + source.describe() + " not used: " + e.getMessage());
            }
        }
        return Optional.empty();
    }
}
