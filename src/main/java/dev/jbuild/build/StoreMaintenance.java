package dev.jbuild.build;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.store.FileTrees;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Disk usage and garbage collection of a store ({@code jbuild du}, {@code jbuild prune}).
 *
 * <p>What is live: every blob reachable from a tag in index.json (manifests, indexes, configs,
 * layers) and every layer a kept cache record names. Pruning removes cache records (all with
 * {@code all}, those unused since {@code until}, the oldest first down to {@code keepStorage}, and
 * always those that cannot be read or whose layer is gone), then every blob that is not live,
 * unpacked layer directories under {@code rootfs/} by the same rules as records (they are rebuilt
 * from blobs when needed; their files belong to subordinate ids, so they are removed inside the
 * user namespace), and entries of {@code tmp/} whose process is gone ({@link Store#abandonedTemporaryEntries}).
 *
 * <p>Concurrency rule: all of it happens under {@link Store#exclusiveUse()}, which waits until no
 * build or pull holds the store (each does, from start to tag) and keeps new ones waiting, and blob
 * deletion also holds the index lock, so no tag can be created meanwhile for a blob being deleted.
 * So nothing a running build reads, or wrote and has not tagged yet, is ever deleted.
 */
public final class StoreMaintenance {

    /** What a store holds. Sizes in bytes. */
    public record Usage(int blobs, long blobBytes, long taggedBytes, long cacheOnlyBytes, long unreachableBytes,
            int cacheRecords, int rootfsDirs, long rootfsBytes, long tmpBytes, long cacheMountBytes) {}

    /**
     * @param all          remove every cache record and unpacked rootfs, not just unused ones
     * @param keepStorage  remove the least recently used records and rootfs dirs until blobs and rootfs take at
     *                     most this many bytes; negative for no limit
     * @param until        remove records and rootfs dirs not used for this long; null for no age rule
     */
    public record PruneOptions(boolean all, long keepStorage, Duration until, Duration danglingAge) {

        /** Unreferenced blobs of any age are removed. */
        public PruneOptions(boolean all, long keepStorage, Duration until) {
            this(all, keepStorage, until, null);
        }
    }

    /**
     * Automatic collection after builds ({@link #collectIfDue}): at most once per {@code interval},
     * the least recently used cache goes until blobs and rootfs take at most {@code keepStorage}
     * bytes, and blobs nothing references are removed once they are older than {@code danglingAge}
     * (so an untagged image just built can still be tagged by its ID for a while).
     */
    public record GcPolicy(long keepStorage, Duration interval, Duration danglingAge) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
        public static final Duration DEFAULT_DANGLING_AGE = Duration.ofHours(48);
    }

    public record PruneResult(int cacheRecords, int blobs, int rootfsDirs, int tmpEntries, long freedBytes) {}

    private StoreMaintenance() {}

    public static Usage usage(Store store) throws IOException {
        Map<Digest, Long> blobs = store.blobs();
        Set<Digest> tagged = taggedBlobs(store);
        Set<Digest> cached = new HashSet<>();
        Map<String, Instant> records = store.cacheRecords();
        for (String key : records.keySet()) {
            record(store, key).map(BuildCache.Entry::layer).ifPresent(l -> cached.add(l.descriptor().digest()));
        }
        long total = 0;
        long taggedBytes = 0;
        long cacheOnly = 0;
        for (Map.Entry<Digest, Long> blob : blobs.entrySet()) {
            total += blob.getValue();
            if (tagged.contains(blob.getKey())) {
                taggedBytes += blob.getValue();
            } else if (cached.contains(blob.getKey())) {
                cacheOnly += blob.getValue();
            }
        }
        List<Path> rootfs = list(rootfsRoot(store));
        long rootfsBytes = 0;
        for (Path dir : rootfs) {
            rootfsBytes += size(dir);
        }
        return new Usage(blobs.size(), total, taggedBytes, cacheOnly, total - taggedBytes - cacheOnly, records.size(),
                rootfs.size(), rootfsBytes, size(store.temporaryDirectory()), size(store.root().resolve("cache-mounts")));
    }

    public static PruneResult prune(Store store, PruneOptions options, Consumer<String> warnings) throws IOException {
        try (Store.Use exclusive = store.exclusiveUse()) {
            return new Pruning(store, options, warnings).run();
        }
    }

    /**
     * Runs a collection by {@code policy} if one is due, after a build. There is no daemon to
     * collect in the background, so builds take turns: the first build on a store only starts the
     * clock ({@code cache/gc-last}), a later one collects when the clock is older than the
     * interval. It never waits: when another build or collection uses the store, it skips (a
     * later build will collect). Empty when nothing ran.
     */
    public static Optional<PruneResult> collectIfDue(Store store, GcPolicy policy, Consumer<String> warnings)
            throws IOException {
        Path stamp = store.cacheDirectory().resolve("gc-last");
        Instant now = Instant.now();
        if (!Files.exists(stamp)) {
            Files.createDirectories(stamp.getParent());
            Files.write(stamp, new byte[0]);
            return Optional.empty();
        }
        if (Files.getLastModifiedTime(stamp).toInstant().plus(policy.interval()).isAfter(now)) {
            return Optional.empty();
        }
        Optional<Store.Use> exclusive = store.tryExclusiveUse();
        if (exclusive.isEmpty()) {
            return Optional.empty();
        }
        try (Store.Use held = exclusive.get()) {
            // The clock first: a collection that fails or is killed is not retried by every build.
            Files.setLastModifiedTime(stamp, java.nio.file.attribute.FileTime.from(now));
            PruneOptions options = new PruneOptions(false, policy.keepStorage(), null, policy.danglingAge());
            return Optional.of(new Pruning(store, options, warnings).run());
        }
    }

    /**
     * Removes the whole store at {@code root}: images, cache, unpacked layers, cache mounts and
     * scratch files, the files of subordinate ids among them (inside the user namespace), and
     * then the directory itself, so that nothing is left the user could not delete. Waits until no
     * build uses the store, as prune does; a build waiting meanwhile then fails to find its store.
     *
     * @return false when something could not be removed (said through {@code warnings})
     */
    public static boolean reset(Store store, Consumer<String> warnings) throws IOException {
        Path root = store.root();
        boolean complete = true;
        try (Store.Use exclusive = store.exclusiveUse(); TreeRemover remover = new TreeRemover(store, warnings)) {
            // tmp/ last: the sandbox, if one is needed, works in it.
            List<Path> entries = list(root);
            entries.sort(Comparator.comparing((Path p) -> p.equals(store.temporaryDirectory())));
            for (Path entry : entries) {
                if (entry.equals(store.temporaryDirectory())) {
                    for (Path scratch : list(entry)) {
                        if (!scratch.equals(remover.sandboxWork())) {
                            complete &= remover.delete(scratch);
                        }
                    }
                } else {
                    complete &= remover.delete(entry);
                }
            }
        }
        if (complete) {
            FileTrees.deleteTree(root);
        }
        return complete;
    }

    private static final class Pruning {
        private final Store store;
        private final PruneOptions options;
        private final Consumer<String> warnings;
        private final Instant cutoff;
        private final Instant danglingCutoff;
        private final TreeRemover remover;
        int records;
        int blobs;
        int rootfsDirs;
        int tmpEntries;
        long freed;

        Pruning(Store store, PruneOptions options, Consumer<String> warnings) {
            this.store = store;
            this.options = options;
            this.warnings = warnings;
            this.cutoff = options.until() == null ? null : Instant.now().minus(options.until());
            this.danglingCutoff = options.danglingAge() == null ? null : Instant.now().minus(options.danglingAge());
            this.remover = new TreeRemover(store, warnings);
        }

        PruneResult run() throws IOException {
            try (remover) {
                pruneTmp();
                pruneRootfs();
                Map<String, LayerRecord> kept = pruneRecords();
                pruneBlobs(kept);
                if (options.keepStorage() >= 0) {
                    keepStorage(kept);
                }
            }
            return new PruneResult(records, blobs, rootfsDirs, tmpEntries, freed);
        }

        /** Entries of processes that are gone (or old ones that name no owner); never a live process's. */
        private void pruneTmp() throws IOException {
            for (Path entry : store.abandonedTemporaryEntries()) {
                long size = size(entry);
                if (deleteTree(entry)) {
                    tmpEntries++;
                    freed += size;
                }
            }
            store.forgetDeadOwners();
        }

        private void pruneRootfs() throws IOException {
            for (Path dir : list(rootfsRoot(store))) {
                if (leftover(dir) || options.all() || cutoff != null && lastUsed(dir).isBefore(cutoff)) {
                    deleteRootfs(dir);
                }
            }
        }

        /**
         * Renamed aside first, so that a removal stopped half-way (a killed prune, files that need
         * the sandbox) never leaves part of a tree under the name a build would use.
         */
        private void deleteRootfs(Path dir) throws IOException {
            long size = size(dir);
            Path doomed = leftover(dir) ? dir : FileTrees.renameAside(dir);
            if (doomed != null && deleteTree(doomed)) {
                rootfsDirs++;
                freed += size;
            }
        }

        /** Deletes records by the rules; returns the kept ones with their layers (null: no layer). */
        private Map<String, LayerRecord> pruneRecords() throws IOException {
            Map<String, LayerRecord> kept = new HashMap<>();
            for (Map.Entry<String, Instant> record : store.cacheRecords().entrySet()) {
                Optional<BuildCache.Entry> entry = record(store, record.getKey());
                boolean broken = entry.isEmpty()
                        || entry.get().layer() != null && !store.has(entry.get().layer().descriptor().digest());
                if (broken || options.all() || cutoff != null && record.getValue().isBefore(cutoff)) {
                    if (store.deleteCacheRecord(record.getKey())) {
                        records++;
                    }
                } else {
                    kept.put(record.getKey(), entry.get().layer());
                }
            }
            return kept;
        }

        private void pruneBlobs(Map<String, LayerRecord> kept) throws IOException {
            store.withIndexLocked(() -> {
                Set<Digest> live = taggedBlobs(store);
                kept.values().forEach(layer -> {
                    if (layer != null) {
                        live.add(layer.descriptor().digest());
                    }
                });
                for (Digest digest : store.blobs().keySet()) {
                    if (!live.contains(digest) && oldEnough(digest)) {
                        long size = store.deleteBlob(digest);
                        if (size > 0) {
                            blobs++;
                            freed += size;
                        }
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
        private void keepStorage(Map<String, LayerRecord> kept) throws IOException {
            long used = 0;
            for (long size : store.blobs().values()) {
                used += size;
            }
            List<Path> rootfs = new ArrayList<>(list(rootfsRoot(store)));
            Map<Path, Long> rootfsSizes = new HashMap<>();
            for (Path dir : rootfs) {
                rootfsSizes.put(dir, size(dir));
                used += rootfsSizes.get(dir);
            }
            rootfs.sort(Comparator.comparing(StoreMaintenance::lastUsed));
            for (Path dir : rootfs) {
                if (used <= options.keepStorage()) {
                    return;
                }
                deleteRootfs(dir);
                used -= rootfsSizes.get(dir);
            }
            long limit = options.keepStorage();
            long[] usedBox = {used};
            store.withIndexLocked(() -> {
                Set<Digest> tagged = taggedBlobs(store);
                Map<Digest, Integer> references = new HashMap<>();
                kept.values().forEach(layer -> {
                    if (layer != null) {
                        references.merge(layer.descriptor().digest(), 1, Integer::sum);
                    }
                });
                Map<String, Instant> ages = store.cacheRecords();
                List<String> oldestFirst = new ArrayList<>(kept.keySet());
                oldestFirst.sort(Comparator.comparing(key -> ages.getOrDefault(key, Instant.EPOCH)));
                for (String key : oldestFirst) {
                    if (usedBox[0] <= limit) {
                        break;
                    }
                    LayerRecord layer = kept.remove(key);
                    if (store.deleteCacheRecord(key)) {
                        records++;
                    }
                    if (layer != null) {
                        Digest digest = layer.descriptor().digest();
                        if (references.merge(digest, -1, Integer::sum) <= 0 && !tagged.contains(digest)) {
                            long size = store.deleteBlob(digest);
                            if (size > 0) {
                                blobs++;
                                freed += size;
                                usedBox[0] -= size;
                            }
                        }
                    }
                }
                return null;
            });
        }

        private boolean deleteTree(Path tree) {
            return remover.delete(tree);
        }
    }

    private static Optional<BuildCache.Entry> record(Store store, String key) {
        try {
            return store.readCacheRecord(key).map(bytes -> {
                try {
                    return BuildCache.parse(bytes);
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            });
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every blob a tag reaches: manifests and indexes, their configs and layers, recursively. */
    static Set<Digest> taggedBlobs(Store store) throws IOException {
        Set<Digest> live = new HashSet<>();
        for (Descriptor descriptor : store.index().manifests()) {
            reach(store, descriptor, live);
        }
        return live;
    }

    private static void reach(Store store, Descriptor descriptor, Set<Digest> live) throws IOException {
        if (!live.add(descriptor.digest()) || !store.has(descriptor.digest())) {
            return;
        }
        Document<ManifestOrIndex> document;
        try {
            document = ImageDocuments.parseManifestOrIndex(store.readBytes(descriptor.digest()));
        } catch (IOException | RuntimeException e) {
            return; // not a manifest (a tagged blob of another kind): itself is live
        }
        if (document.value() instanceof Index index) {
            for (Descriptor child : index.manifests()) {
                reach(store, child, live);
            }
        } else if (document.value() instanceof Manifest manifest) {
            live.add(manifest.config().digest());
            manifest.layers().forEach(layer -> live.add(layer.digest()));
        }
    }

    /** A hidden entry of {@code rootfs/}: a killed build's {@code .partial-}, a killed prune's {@code .removing-}. */
    private static boolean leftover(Path dir) {
        return dir.getFileName().toString().startsWith(".");
    }

    private static Path rootfsRoot(Store store) {
        return store.root().resolve("rootfs");
    }

    private static Instant lastUsed(Path dir) {
        try {
            return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        return entries;
    }

    /** Bytes of regular files below {@code path}; unreadable parts count as nothing. */
    static long size(Path path) {
        long[] total = {0};
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // partial total
        }
        return total[0];
    }
}
