package dev.jbuild.store;

import dev.jbuild.image.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Disk usage and garbage collection of a store ({@code jbuild du}, {@code jbuild prune}, the
 * collection after builds, {@code jbuild system reset}).
 *
 * <p>What is live: every blob reachable from a tag in index.json (manifests, indexes, configs,
 * layers) and every blob a kept cache record names ({@link RecordReferences}). Pruning removes
 * cache records (all with {@code all}, those unused since {@code until}, the oldest first down to
 * {@code keepStorage}, and always those that cannot be read or whose layer is gone), then every
 * blob that is not live, unpacked layer directories under {@code rootfs/} by the same rules as
 * records (they are rebuilt from blobs when needed; their files belong to subordinate ids, so
 * they may need {@link OtherIdsRemoval}), and entries of {@code tmp/} whose process is gone.
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
     * @param danglingAge  remove blobs nothing references only once they are this old; null for any age
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

        /** 10% of the file system that holds {@code store}: BuildKit's default. */
        public static long defaultKeepStorage(Store store) throws IOException {
            return Files.getFileStore(store.root()).getTotalSpace() / 10;
        }
    }

    public record PruneResult(int cacheRecords, int blobs, int rootfsDirs, int tmpEntries, long freedBytes) {}

    /**
     * Removes trees holding files of other ids (the subordinate uids and gids that rootless RUN
     * and unpacking leave), which the user can remove only inside a user namespace. That is the
     * sandbox's work, a package above the store, so the caller passes it in. It is opened only
     * when a plain removal fails, given a scratch directory of the store, and closed when the
     * collection ends.
     */
    @FunctionalInterface
    public interface OtherIdsRemoval {

        /** No user namespace to remove them in: such trees are left, with a warning. */
        OtherIdsRemoval NONE = scratch -> {
            throw new IOException("no user namespace available");
        };

        Remover open(Path scratch) throws IOException;

        /** An opened removal; close it to end what it started. */
        interface Remover extends AutoCloseable {
            void delete(Path tree) throws IOException;

            @Override
            void close();
        }
    }

    private StoreMaintenance() {}

    public static Usage usage(Store store) throws IOException {
        Map<Digest, Long> blobs = store.blobFiles().all();
        Set<Digest> tagged = LiveBlobs.tagged(store);
        Set<Digest> cached = new HashSet<>();
        Map<String, Instant> records = store.cacheRecords().all();
        for (String key : records.keySet()) {
            LiveBlobs.ofRecord(store, key).ifPresent(r -> cached.addAll(r.blobs()));
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
        List<Path> rootfs = DiskUsage.list(DiskUsage.rootfs(store));
        long rootfsBytes = 0;
        for (Path dir : rootfs) {
            rootfsBytes += DiskUsage.size(dir);
        }
        return new Usage(blobs.size(), total, taggedBytes, cacheOnly, total - taggedBytes - cacheOnly, records.size(),
                rootfs.size(), rootfsBytes, DiskUsage.size(store.temporaryDirectory()),
                DiskUsage.size(DiskUsage.cacheMounts(store)));
    }

    public static PruneResult prune(Store store, PruneOptions options, OtherIdsRemoval removal, Consumer<String> warnings)
            throws IOException {
        try (Store.Use exclusive = store.exclusiveUse()) {
            return new Pruning(store, options, removal, warnings).run();
        }
    }

    /**
     * Runs a collection by {@code policy} if one is due, after a build. There is no daemon to
     * collect in the background, so builds take turns: the first build on a store only starts the
     * clock ({@code cache/gc-last}), a later one collects when the clock is older than the
     * interval. It never waits: when another build or collection uses the store, it skips (a
     * later build will collect). Empty when nothing ran.
     */
    public static Optional<PruneResult> collectIfDue(Store store, GcPolicy policy, OtherIdsRemoval removal,
            Consumer<String> warnings) throws IOException {
        Path stamp = store.cacheRecords().directory().resolve("gc-last");
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
            Files.setLastModifiedTime(stamp, FileTime.from(now));
            PruneOptions options = new PruneOptions(false, policy.keepStorage(), null, policy.danglingAge());
            return Optional.of(new Pruning(store, options, removal, warnings).run());
        }
    }

    /**
     * Removes the whole store: images, cache, unpacked layers, cache mounts and scratch files, the
     * files of subordinate ids among them (through {@code removal}), and then the directory itself,
     * so that nothing is left the user could not delete. Waits until no build uses the store, as
     * prune does; a build waiting meanwhile then fails to find its store.
     *
     * @return false when something could not be removed (said through {@code warnings})
     */
    public static boolean reset(Store store, OtherIdsRemoval removal, Consumer<String> warnings) throws IOException {
        Path root = store.root();
        Path tmp = store.temporaryDirectory();
        boolean complete = true;
        try (Store.Use exclusive = store.exclusiveUse(); TreeRemover remover = new TreeRemover(store, removal, warnings)) {
            // tmp/ last: the sandbox, if one is needed, works in it.
            List<Path> entries = DiskUsage.list(root);
            entries.sort(Comparator.comparing((Path p) -> p.equals(tmp)));
            for (Path entry : entries) {
                if (entry.equals(tmp)) {
                    for (Path scratch : DiskUsage.list(entry)) {
                        if (!scratch.equals(remover.scratch())) {
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
}
