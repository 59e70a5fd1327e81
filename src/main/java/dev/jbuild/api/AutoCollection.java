package dev.jbuild.api;

import dev.jbuild.progress.Quantities;
import dev.jbuild.sandbox.SandboxRemoval;
import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The garbage collection that follows builds (see {@link StoreMaintenance#collectIfDue}), set by
 * the environment: {@code JBUILD_GC_KEEP_STORAGE} (a size, or {@code off} for no automatic
 * collection; default 10% of the store's file system, BuildKit's default too) and
 * {@code JBUILD_GC_INTERVAL} (default 1h). A failure is a warning: the build itself succeeded.
 */
final class AutoCollection {

    static final String KEEP_STORAGE = "JBUILD_GC_KEEP_STORAGE";
    static final String INTERVAL = "JBUILD_GC_INTERVAL";

    private AutoCollection() {}

    /** The policy for {@code store}, or empty when the environment turns collection off. */
    static Optional<StoreMaintenance.GcPolicy> policy(Map<String, String> env, Store store) throws IOException {
        String keep = env.getOrDefault(KEEP_STORAGE, "").trim();
        if (keep.equalsIgnoreCase("off") || keep.equals("0")) {
            return Optional.empty();
        }
        long keepStorage = keep.isEmpty() ? StoreMaintenance.GcPolicy.defaultKeepStorage(store) : Quantities.size(keep);
        String interval = env.getOrDefault(INTERVAL, "").trim();
        Duration every = interval.isEmpty() ? StoreMaintenance.GcPolicy.DEFAULT_INTERVAL : Quantities.duration(interval);
        return Optional.of(new StoreMaintenance.GcPolicy(keepStorage, every, StoreMaintenance.GcPolicy.DEFAULT_DANGLING_AGE));
    }

    /** Collects if due and says what was freed; a failure is a warning. */
    static void afterBuild(Store store, Map<String, String> env, Report report) {
        try {
            Optional<StoreMaintenance.GcPolicy> policy = policy(env, store);
            if (policy.isEmpty()) {
                return;
            }
            Optional<StoreMaintenance.PruneResult> result =
                    StoreMaintenance.collectIfDue(store, policy.get(), SandboxRemoval.inUserNamespace(), report::warning);
            if (result.isPresent() && result.get().freedBytes() > 0) {
                StoreMaintenance.PruneResult r = result.get();
                report.message(String.format("garbage collection: freed %s (%d cache records, %d blobs, %d rootfs directories)",
                        Quantities.bytes(r.freedBytes()), r.cacheRecords(), r.blobs(), r.rootfsDirs()));
            }
        } catch (IOException | IllegalArgumentException e) {
            report.warning("automatic garbage collection: " + e.getMessage());
        }
    }
}
