package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection on a store, without the CLI: what tags and cache records keep alive, and the
 * order in which {@code keepStorage} gives the cache up. (PruneTest runs the same through real builds.)
 */
class StoreMaintenanceTest {

    static final StoreMaintenance.PruneOptions DEFAULT = new StoreMaintenance.PruneOptions(false, -1, null);

    @TempDir
    Path root;

    Store store;
    List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = Store.open(root);
    }

    @Test
    void whatATagOrACacheRecordReachesStaysAndTheRestGoes() throws Exception {
        List<Digest> single = image("single");
        store.tag("example.com/single:1", manifestOf(single));
        List<Digest> child = image("child");
        Descriptor index = store.putBytes(MediaTypes.OCI_INDEX,
                ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, List.of(manifestOf(child)))).bytes());
        store.tag("example.com/multi:1", index);
        Digest cachedLayer = store.putBytes(bytes("a layer only the cache knows"));
        Digest unreferenced = store.putBytes(bytes("nothing names this"));
        Digest missing = Digest.of(bytes("a layer pruned earlier"));
        String cached = record("1", RecordReferencesTest.layerRecord(cachedLayer));
        String metadata = record("2", RecordReferencesTest.METADATA_RECORD);
        String broken = record("3", RecordReferencesTest.layerRecord(missing));
        String unreadable = record("4", "{\"version\":1,");

        StoreMaintenance.Usage usage = StoreMaintenance.usage(store);
        assertEquals(9, usage.blobs());
        assertEquals(4, usage.cacheRecords());
        assertEquals(store.size(cachedLayer), usage.cacheOnlyBytes());
        assertEquals(store.size(unreferenced), usage.unreachableBytes());
        assertEquals(usage.blobBytes() - usage.cacheOnlyBytes() - usage.unreachableBytes(), usage.taggedBytes());

        StoreMaintenance.PruneResult result = prune(DEFAULT);
        assertEquals(new StoreMaintenance.PruneResult(2, 1, 0, 0, bytes("nothing names this").length), result);
        assertEquals(Set.of(cached, metadata), store.cacheRecords().all().keySet(), broken + " and " + unreadable + " went");
        assertFalse(store.has(unreferenced));
        for (Digest d : concat(single, child, List.of(index.digest(), cachedLayer))) {
            assertTrue(store.has(d), d + " is reachable");
        }

        StoreMaintenance.PruneResult all = prune(new StoreMaintenance.PruneOptions(true, -1, null));
        assertEquals(2, all.cacheRecords());
        assertEquals(1, all.blobs(), "the layer only the cache kept");
        assertFalse(store.has(cachedLayer));
        assertTrue(store.has(single.get(2)) && store.has(child.get(2)), "tagged layers stay with --all");
        assertEquals(List.of(), warnings);
    }

    @Test
    void unreferencedBlobsYoungerThanTheDanglingAgeStay() throws Exception {
        Digest young = store.putBytes(bytes("just built, not tagged yet"));
        Digest old = store.putBytes(bytes("left three days ago"));
        Files.setLastModifiedTime(store.path(old), FileTime.from(Instant.now().minus(Duration.ofDays(3))));

        prune(new StoreMaintenance.PruneOptions(false, -1, null, Duration.ofDays(2)));
        assertTrue(store.has(young));
        assertFalse(store.has(old));
    }

    @Test
    void keepStorageGivesUpTheLeastRecentlyUsedRecordsAndOnlyBlobsNoneStillNames() throws Exception {
        Digest shared = store.putBytes(bytes("a layer two records name"));
        Digest alone = store.putBytes(bytes("a layer one record names"));
        String oldest = record("1", RecordReferencesTest.layerRecord(shared));
        String older = record("2", RecordReferencesTest.layerRecord(alone));
        String recent = record("3", RecordReferencesTest.layerRecord(shared));
        age(oldest, Duration.ofDays(3));
        age(older, Duration.ofDays(2));

        StoreMaintenance.PruneResult result =
                prune(new StoreMaintenance.PruneOptions(false, store.size(shared), null));
        assertEquals(2, result.cacheRecords(), "the oldest two: after them the store fits");
        assertEquals(1, result.blobs());
        assertEquals(Set.of(recent), store.cacheRecords().all().keySet());
        assertTrue(store.has(shared), "still named by the recent record");
        assertFalse(store.has(alone));
    }

    @Test
    void collectionAfterBuildsStartsAClockAndNeverWaitsForABuild() throws Exception {
        StoreMaintenance.GcPolicy policy = new StoreMaintenance.GcPolicy(-1, Duration.ofHours(1), Duration.ZERO);
        Digest unreferenced = store.putBytes(bytes("left over"));
        Files.setLastModifiedTime(store.path(unreferenced), FileTime.from(Instant.now().minusSeconds(60)));
        Path clock = root.toRealPath().resolve("cache/gc-last");

        assertTrue(collect(policy).isEmpty(), "the first build only starts the clock");
        assertTrue(Files.exists(clock));
        assertTrue(collect(policy).isEmpty(), "not due yet");
        Files.setLastModifiedTime(clock, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        try (Store.Use build = store.sharedUse()) {
            assertTrue(collect(policy).isEmpty(), "another build uses the store: skipped, not waited for");
        }
        assertTrue(store.has(unreferenced));
        assertEquals(1, collect(policy).orElseThrow().blobs());
        assertFalse(store.has(unreferenced));
        assertTrue(Files.getLastModifiedTime(clock).toInstant().isAfter(Instant.now().minusSeconds(600)), "clock restarted");
    }

    @Test
    void resetRemovesTheWholeStore() throws Exception {
        store.tag("example.com/single:1", manifestOf(image("single")));
        record("1", RecordReferencesTest.METADATA_RECORD);
        Files.createDirectories(root.resolve("rootfs/chain/usr"));
        store.createTemporaryDirectory("build");

        assertTrue(StoreMaintenance.reset(store, StoreMaintenance.OtherIdsRemoval.NONE, warnings::add));
        assertFalse(Files.exists(root));
        assertEquals(List.of(), warnings);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private StoreMaintenance.PruneResult prune(StoreMaintenance.PruneOptions options) throws Exception {
        return StoreMaintenance.prune(store, options, StoreMaintenance.OtherIdsRemoval.NONE, warnings::add);
    }

    private Optional<StoreMaintenance.PruneResult> collect(StoreMaintenance.GcPolicy policy) throws Exception {
        return StoreMaintenance.collectIfDue(store, policy, StoreMaintenance.OtherIdsRemoval.NONE, warnings::add);
    }

    /** A stored image: manifest, config, layer digests in that order. */
    private List<Digest> image(String marker) throws Exception {
        Descriptor layer = store.putBytes(MediaTypes.OCI_LAYER_TAR_GZIP, bytes("layer of " + marker));
        Descriptor config = store.putBytes(MediaTypes.OCI_CONFIG,
                ImageDocuments.encode(ImageConfig.forPlatform(Platform.parse("linux/amd64"))
                        .withCreated(ImageConfig.formatTime(Instant.ofEpochSecond(1_700_000_000L + marker.hashCode())))).bytes());
        Descriptor manifest = store.putBytes(MediaTypes.OCI_MANIFEST,
                ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, config, List.of(layer))).bytes());
        return List.of(manifest.digest(), config.digest(), layer.digest());
    }

    private Descriptor manifestOf(List<Digest> image) throws Exception {
        return new Descriptor(MediaTypes.OCI_MANIFEST, image.get(0), store.size(image.get(0)));
    }

    /** Writes a record under a key made from {@code seed}; returns the key. */
    private String record(String seed, String json) throws Exception {
        String key = Digest.of(bytes(seed)).hex();
        store.writeCacheRecord(key, bytes(json));
        return key;
    }

    private void age(String key, Duration age) throws Exception {
        Files.setLastModifiedTime(root.toRealPath().resolve("cache/records/" + key), FileTime.from(Instant.now().minus(age)));
    }

    @SafeVarargs
    private static List<Digest> concat(List<Digest>... lists) {
        List<Digest> all = new ArrayList<>();
        for (List<Digest> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
