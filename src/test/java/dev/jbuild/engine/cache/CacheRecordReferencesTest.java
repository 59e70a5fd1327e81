package dev.jbuild.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's garbage collection reads the blobs a cache record keeps alive from the record's
 * bytes, without this package; this ties that reading to the format {@link BuildCache} writes, so
 * that a change to the record format cannot silently make prune delete cached layers.
 */
class CacheRecordReferencesTest {

    @TempDir
    Path root;

    @Test
    void theStoreKeepsTheLayerOfEveryRecordTheBuildCacheWritesAndDropsRecordsWhoseLayerIsGone() throws Exception {
        Store store = Store.open(root);
        byte[] layerBytes = "a cached layer".getBytes(StandardCharsets.UTF_8);
        Descriptor layer = store.putBytes(MediaTypes.OCI_LAYER_TAR_GZIP, layerBytes);
        ImageConfig config = ImageConfig.forPlatform(Platform.parse("linux/amd64"));
        ImageConfig.History copy = new ImageConfig.History("2024-01-01T00:00:00Z", "COPY a /a", null, false);
        ImageConfig.History env = new ImageConfig.History("2024-01-01T00:00:00Z", "ENV A=1", null, true);
        String layered = Digest.of("layered".getBytes(StandardCharsets.UTF_8)).hex();
        String metadata = Digest.of("metadata".getBytes(StandardCharsets.UTF_8)).hex();
        store.writeCacheRecord(layered, BuildCache.encode(new BuildCache.Entry(
                new LayerRecord(layer, Digest.of("diff".getBytes(StandardCharsets.UTF_8))), true, copy, config)));
        store.writeCacheRecord(metadata, BuildCache.encode(new BuildCache.Entry(null, false, env, config)));
        List<String> warnings = new ArrayList<>();
        StoreMaintenance.PruneOptions options = new StoreMaintenance.PruneOptions(false, -1, null);

        assertEquals(layer.size(), StoreMaintenance.usage(store).cacheOnlyBytes(), "the layer counts as the cache's");
        StoreMaintenance.PruneResult kept = StoreMaintenance.prune(store, options, StoreMaintenance.OtherIdsRemoval.NONE, warnings::add);
        assertEquals(0, kept.cacheRecords());
        assertEquals(0, kept.blobs());
        assertTrue(store.has(layer.digest()), "no tag names it, the record does");

        Files.delete(store.path(layer.digest()));
        StoreMaintenance.PruneResult dropped = StoreMaintenance.prune(store, options, StoreMaintenance.OtherIdsRemoval.NONE, warnings::add);
        assertEquals(1, dropped.cacheRecords(), "a record whose layer is gone is a miss, so it goes");
        assertTrue(store.readCacheRecord(layered).isEmpty());
        assertTrue(store.readCacheRecord(metadata).isPresent(), "a record without a layer needs no blob");
        assertEquals(List.of(), warnings);
    }
}
