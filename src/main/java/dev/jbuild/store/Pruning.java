package dev.jbuild.store;

import dev.jbuild.image.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One garbage collection by {@link StoreMaintenance.PruneOptions}; the caller holds
 * {@link Store#exclusiveUse()}. In order: abandoned {@code tmp/} entries, {@code rootfs/}
 * directories, cache records, blobs nothing keeps alive, then the least recently used cache down
 * to {@code keepStorage}.
 */
final class Pruning {

    private final Store store;
    private final StoreMaintenance.PruneOptions options;
    private final Instant cutoff;
    private final Instant danglingCutoff;
    private final TreeRemover remover;
    private int records;
    private int blobs;
    private int rootfsDirs;
    private int tmpEntries;
    private long freed;

    Pruning(Store store, StoreMaintenance.PruneOptions options, StoreMaintenance.OtherIdsRemoval removal,
            Consumer<String> warnings) {
        this.store = store;
        this.options = options;
        this.cutoff = options.until() == null ? null : Instant.now().minus(options.until());
        this.danglingCutoff = options.danglingAge() == null ? null : Instant.now().minus(options.danglingAge());
        this.remover = new TreeRemover(store, removal, warnings);
    }

    StoreMaintenance.PruneResult run() throws IOException {
        try (remover) {
            pruneTmp();
            pruneRootfs();
            Map<String, Set<Digest>> kept = pruneRecords();
            pruneBlobs(kept);
            if (options.keepStorage() >= 0) {
                keepStorage(kept);
            }
        }
        return new StoreMaintenance.PruneResult(records, blobs, rootfsDirs, tmpEntries, freed);
    }

    /** Entries of processes that are gone (or old ones that name no owner); never a live process's. */
    private void pruneTmp() throws IOException {
        TempSpace temp = store.tempSpace();
        for (Path entry : temp.abandonedEntries()) {
            long size = DiskUsage.size(entry);
            if (remover.delete(entry)) {
                tmpEntries++;
                freed += size;
            }
        }
        temp.forgetDeadOwners();
    }

    private void pruneRootfs() throws IOException {
        for (Path dir : DiskUsage.list(DiskUsage.rootfs(store))) {
            if (DiskUsage.leftover(dir) || options.all() || cutoff != null && DiskUsage.lastUsed(dir).isBefore(cutoff)) {
                deleteRootfs(dir);
            }
        }
    }

    /**
     * Renamed aside first, so that a removal stopped half-way (a killed prune, files that need
     * the sandbox) never leaves part of a tree under the name a build would use.
     */
    private void deleteRootfs(Path dir) throws IOException {
        long size = DiskUsage.size(dir);
        Path doomed = DiskUsage.leftover(dir) ? dir : FileTrees.renameAside(dir);
        if (doomed != null && remover.delete(doomed)) {
            rootfsDirs++;
            freed += size;
        }
    }

    /**
     * Deletes records by the rules, and always the broken ones (unreadable, or naming a blob that
     * is gone); returns the kept ones with the blobs they name.
     */
    private Map<String, Set<Digest>> pruneRecords() throws IOException {
        CacheRecords cache = store.cacheRecords();
        Map<String, Set<Digest>> kept = new HashMap<>();
        for (Map.Entry<String, Instant> record : cache.all().entrySet()) {
            Optional<RecordReferences> references = LiveBlobs.ofRecord(store, record.getKey());
            boolean broken = references.isEmpty() || !references.get().blobs().stream().allMatch(store::has);
            if (broken || options.all() || cutoff != null && record.getValue().isBefore(cutoff)) {
                if (cache.delete(record.getKey())) {
                    records++;
                }
            } else {
                kept.put(record.getKey(), references.get().blobs());
            }
        }
        return kept;
    }

    private void pruneBlobs(Map<String, Set<Digest>> kept) throws IOException {
        store.tagIndex().withLocked(() -> {
            Set<Digest> live = LiveBlobs.tagged(store);
            kept.values().forEach(live::addAll);
            for (Digest digest : store.blobFiles().all().keySet()) {
                if (!live.contains(digest) && oldEnough(digest)) {
                    deleteBlob(digest);
                }
            }
            return null;
        });
    }

    private boolean oldEnough(Digest blob) {
        if (danglingCutoff == null) {
            return true;
        }
        try {
            return Files.getLastModifiedTime(store.path(blob)).toInstant().isBefore(danglingCutoff);
        } catch (IOException e) {
            return false;
        }
    }

    /** Least recently used first: rootfs dirs (cheap to remake), then cache records and the blobs only they kept. */
    private void keepStorage(Map<String, Set<Digest>> kept) throws IOException {
        long used = 0;
        for (long size : store.blobFiles().all().values()) {
            used += size;
        }
        List<Path> rootfs = new ArrayList<>(DiskUsage.list(DiskUsage.rootfs(store)));
        Map<Path, Long> rootfsSizes = new HashMap<>();
        for (Path dir : rootfs) {
            rootfsSizes.put(dir, DiskUsage.size(dir));
            used += rootfsSizes.get(dir);
        }
        rootfs.sort(Comparator.comparing(DiskUsage::lastUsed));
        for (Path dir : rootfs) {
            if (used <= options.keepStorage()) {
                return;
            }
            deleteRootfs(dir);
            used -= rootfsSizes.get(dir);
        }
        long limit = options.keepStorage();
        long[] usedBox = {used};
        store.tagIndex().withLocked(() -> {
            Set<Digest> tagged = LiveBlobs.tagged(store);
            Map<Digest, Integer> references = new HashMap<>();
            kept.values().forEach(recordBlobs -> recordBlobs.forEach(digest -> references.merge(digest, 1, Integer::sum)));
            Map<String, Instant> ages = store.cacheRecords().all();
            List<String> oldestFirst = new ArrayList<>(kept.keySet());
            oldestFirst.sort(Comparator.comparing(key -> ages.getOrDefault(key, Instant.EPOCH)));
            for (String key : oldestFirst) {
                if (usedBox[0] <= limit) {
                    break;
                }
                Set<Digest> named = kept.remove(key);
                if (store.cacheRecords().delete(key)) {
                    records++;
                }
                for (Digest digest : named) {
                    if (references.merge(digest, -1, Integer::sum) <= 0 && !tagged.contains(digest)) {
                        usedBox[0] -= deleteBlob(digest);
                    }
                }
            }
            return null;
        });
    }

    /** Deletes a blob (under the index lock), counting it; the bytes freed. */
    private long deleteBlob(Digest digest) throws IOException {
        long size = store.blobFiles().delete(digest);
        if (size > 0) {
            blobs++;
            freed += size;
        }
        return size;
    }
}
