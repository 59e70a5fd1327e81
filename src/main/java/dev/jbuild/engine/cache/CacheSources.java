package dev.jbuild.engine.cache;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The {@code --cache-from} sources of a build, asked in the order given. One instance serves every
 * platform of a build, so a registry cache's documents are fetched once. A source that fails is a
 * warning, never a failed build: the step then simply runs (buildx treats cache imports the same).
 *
 * <p>Layers of a cache (a registry's or a directory's) are copied in when something reads them,
 * not when their record is hit: a fully cached multi-stage build reads the builder stages' file indexes (which the cache
 * carries) to key its {@code COPY --from} steps, and needs only the final image's layers. Until its
 * layer is here, a record lives in memory ({@link #pending}); the store, whose rule is "a record
 * only after its layer", gets it together with the layer. As a {@link Store.BlobFallback} this
 * class is what the build's store asks for a blob it does not have.
 */
public final class CacheSources implements Store.BlobFallback {

    static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    /** A layer a hit record names that is not in the store yet, the records waiting for it, and where it is. */
    private static final class PendingLayer {
        final LayerRecord layer;
        final CacheSource source;
        final Map<String, byte[]> records = new ConcurrentHashMap<>();
        boolean fetched;

        PendingLayer(LayerRecord layer, CacheSource source) {
            this.layer = layer;
            this.source = source;
        }
    }

    private final List<CacheSource> sources;
    private final BuildListener listener;
    private final Store store;
    private final Map<Digest, PendingLayer> pending = new ConcurrentHashMap<>();
    private final Map<String, byte[]> pendingRecords = new ConcurrentHashMap<>();

    public CacheSources(List<CacheOptions.CacheImport> imports, ImageTransfer transfer, BuildListener listener, Store store) {
        this.listener = listener;
        this.store = store;
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

    /**
     * The record of {@code key} from the first source that has it; empty if none has. Its layer
     * is left where it is until the build reads it ({@link #fetch}).
     */
    Optional<byte[]> importRecord(String key, Platform platform) {
        if (sources.isEmpty() || !KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        byte[] waiting = pendingRecords.get(key);
        if (waiting != null) {
            return Optional.of(waiting);
        }
        for (CacheSource source : sources) {
            try {
                Optional<BuildCache.Entry> entry = source.record(key, platform);
                if (entry.isPresent()) {
                    return Optional.of(admit(key, entry.get(), source));
                }
            } catch (IOException | RuntimeException e) {
                listener.warning("cache record " + key + " from " + source.describe() + " not used: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private byte[] admit(String key, BuildCache.Entry entry, CacheSource source) throws IOException {
        // Re-encoded from what was parsed: the store never holds bytes a source chose.
        byte[] record = BuildCache.encode(entry);
        LayerRecord layer = entry.layer();
        if (layer == null || store.has(layer.descriptor().digest())) {
            store.writeCacheRecord(key, record);
            return record;
        }
        PendingLayer waiting = pending.computeIfAbsent(layer.descriptor().digest(), d -> new PendingLayer(layer, source));
        synchronized (waiting) {
            if (waiting.fetched) {
                store.writeCacheRecord(key, record);
                return record;
            }
            waiting.records.put(key, record);
            pendingRecords.put(key, record);
        }
        source.fetchLayerIndex(layer, store);
        return record;
    }

    /** The record of {@code key} in the store, or hit in a source and waiting for its layer. */
    Optional<byte[]> record(String key) throws IOException {
        Optional<byte[]> stored = store.readCacheRecord(key);
        return stored.isPresent() ? stored : pendingRecord(key);
    }

    /** Whether {@code layer} is in the store or a hit record's source will provide it when read. */
    boolean available(Digest layer) {
        return store.has(layer) || pending.containsKey(layer);
    }

    /** A record hit in a source whose layer has not been read yet (so it is not in the store). */
    Optional<byte[]> pendingRecord(String key) {
        return Optional.ofNullable(pendingRecords.get(key));
    }

    /**
     * The registry repository a pending layer would come from, so an export to the same
     * repository can leave it there; empty when the layer is not pending there.
     */
    Optional<ImageName> pendingIn(Digest layer) {
        PendingLayer waiting = pending.get(layer);
        if (waiting != null && waiting.source instanceof RegistryCache registry) {
            return Optional.of(registry.reference());
        }
        return Optional.empty();
    }

    /** Downloads a pending layer into the store, then writes the records that waited for it. */
    @Override
    public boolean fetch(Digest digest) throws IOException {
        PendingLayer waiting = pending.get(digest);
        if (waiting == null) {
            return false;
        }
        synchronized (waiting) {
            if (!waiting.fetched) {
                if (!store.has(digest)) {
                    waiting.source.fetchLayer(waiting.layer, store);
                }
                for (Map.Entry<String, byte[]> record : waiting.records.entrySet()) {
                    store.writeCacheRecord(record.getKey(), record.getValue());
                    pendingRecords.remove(record.getKey());
                }
                waiting.fetched = true;
            }
        }
        return true;
    }
}
