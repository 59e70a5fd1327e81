package dev.jbuild.engine.stage;

import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.fs.Lower;
import dev.jbuild.image.Digest;
import dev.jbuild.sandbox.RunResult;
import dev.jbuild.sandbox.Sandbox;
import dev.jbuild.sandbox.SandboxException;
import dev.jbuild.sandbox.SandboxOptions;
import dev.jbuild.store.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The directories RUN steps stand on. Base layer chains and single layers are unpacked once into
 * the store's {@code rootfs/} cache (inside the user namespace, so files have their container
 * owners) and shared by later builds; a RUN's own upper directory stays in use, through its open
 * {@link RunResult}, until the build ends. The sandbox is opened on the first RUN, so builds
 * without RUN never need namespaces.
 *
 * <p>Shared by the stages of a build, which run concurrently: the sandbox is opened once, runs are
 * kept in a synchronised list, and two stages needing the same layers unpack them once (the
 * second waits for the first) rather than racing to the rename. Other processes on the store may
 * unpack the same layers at the same time: the first rename wins and the others use its directory.
 */
public final class RootfsLayers implements AutoCloseable {

    private final BuildSession session;
    private final Path cacheRoot;
    private final List<RunResult> openRuns = new ArrayList<>();
    /** One lock per cache directory name, held while it is unpacked. */
    private final ConcurrentMap<String, ReentrantLock> unpacking =
            new ConcurrentHashMap<>();
    private Sandbox sandbox;
    /** The cache mounts of stages built without the cache, made on first use; removed with the runs. */
    private Path uncachedCacheMounts;

    public RootfsLayers(BuildSession session) {
        this.session = session;
        this.cacheRoot = session.store().root().resolve("rootfs");
    }

    public synchronized Sandbox sandbox() throws SandboxException {
        if (sandbox == null) {
            SandboxOptions options = SandboxOptions.defaults(session.scratchDir().resolve("sandbox"))
                    .withSnapshotter(session.request().snapshotter()).withIsolation(session.request().isolation());
            try {
                sandbox = Sandbox.open(options);
            } catch (SandboxException e) {
                // The sandbox cannot start at all: namespaces, id maps or tools are missing here.
                throw new SandboxException(e.getMessage(), new BuildException.EnvironmentProblem(e.getMessage(), e));
            }
            sandbox.warnings().forEach(session.listener()::warning);
        }
        return sandbox;
    }

    /** Keeps a run's directories alive until the build is over (later RUNs stand on its upper dir). */
    public synchronized void keep(RunResult result) {
        openRuns.add(result);
    }

    /**
     * Layers to unpack into one cached directory, and what it will be stacked on: {@code parents} top
     * first, each a directory or the cache name of another job (unpacked before it).
     */
    private record Job(List<LayerRecord> layers, List<Object> parents) {
    }

    /** The directories of {@code lowers}, top first, unpacking what is not cached yet. */
    public List<Path> materialise(StepId step, List<Lower> lowers) throws IOException, InterruptedException {
        // The directories each lower needs, by cache name, bottom first: a single layer is unpacked
        // after (and with the attributes of) what is below it. Those not there yet are unpacked by one
        // sandbox agent together (a RUN after several COPY steps has a layer each to unpack).
        Map<String, Job> needed = new LinkedHashMap<>();
        List<Object> below = new ArrayList<>(); // top first: paths and cache names
        for (int i = lowers.size() - 1; i >= 0; i--) {
            Lower lower = lowers.get(i);
            if (lower instanceof Lower.Dir dir) {
                below.add(0, dir.path());
            } else if (lower instanceof Lower.Single single) {
                String name = "layer-" + chainId(single.chain());
                needed.put(name, new Job(List.of(single.layer()), List.copyOf(below)));
                below.add(0, name);
            } else {
                List<LayerRecord> chain = ((Lower.Chain) lower).layers();
                if (!chain.isEmpty()) {
                    // The whole image below: nothing under it to take attributes from.
                    String name = "chain-" + chainId(chain);
                    needed.put(name, new Job(chain, List.of()));
                    below.add(0, name);
                }
            }
        }
        Map<String, Path> unpackedDirs = unpackedAll(step, needed);
        List<Path> dirs = new ArrayList<>();
        for (Object entry : below) {
            dirs.add(entry instanceof Path path ? path : unpackedDirs.get((String) entry));
        }
        if (dirs.isEmpty()) {
            Path empty = session.scratchDir().resolve("empty-rootfs");
            Files.createDirectories(empty);
            dirs.add(empty);
        }
        return dirs;
    }

    /** One directory holding {@code layers} merged: what a bind mount of a stage or image shows. */
    public Path merged(StepId step, List<LayerRecord> layers) throws IOException, InterruptedException {
        if (layers.isEmpty()) {
            Path empty = session.scratchDir().resolve("empty-rootfs");
            Files.createDirectories(empty);
            return empty;
        }
        return unpacked(step, "chain-" + chainId(layers), layers);
    }

    /**
     * The cached directories for {@code needed} (name to job, bottom first), unpacking those missing
     * with one agent. The names' locks are taken in sorted order, so two stages asking for overlapping
     * sets cannot deadlock; one that finds a directory made meanwhile uses it.
     */
    private Map<String, Path> unpackedAll(StepId step, Map<String, Job> needed)
            throws IOException, InterruptedException {
        Map<String, Path> dirs = new HashMap<>();
        Map<String, Job> missing = new LinkedHashMap<>();
        for (Map.Entry<String, Job> entry : needed.entrySet()) {
            Path target = cacheRoot.resolve(entry.getKey());
            if (Files.isDirectory(target)) {
                touch(target);
                dirs.put(entry.getKey(), target);
            } else {
                missing.put(entry.getKey(), entry.getValue());
            }
        }
        if (!missing.isEmpty()) {
            List<ReentrantLock> held = new ArrayList<>();
            try {
                for (String name : new TreeSet<>(missing.keySet())) {
                    ReentrantLock lock =
                            unpacking.computeIfAbsent(name, k -> new ReentrantLock());
                    lock.lockInterruptibly();
                    held.add(lock);
                }
                dirs.putAll(unpackLocked(step, missing, dirs));
            } finally {
                for (ReentrantLock lock : held) {
                    lock.unlock();
                }
            }
        }
        return dirs;
    }

    /** A cached directory, or a new one made by unpacking {@code layers} in order and renamed into place. */
    private Path unpacked(StepId step, String name, List<LayerRecord> layers) throws IOException, InterruptedException {
        return unpackedAll(step, Map.of(name, new Job(layers, List.of()))).get(name);
    }

    /**
     * Under the names' locks: each directory not there yet is unpacked into a partial directory,
     * all by one agent in {@code wanted}'s order, then renamed into place; another build's directory
     * made meanwhile wins. {@code known} holds the cached directories parents may name.
     */
    private Map<String, Path> unpackLocked(StepId step, Map<String, Job> wanted,
            Map<String, Path> known) throws IOException, InterruptedException {
        Map<String, Path> dirs = new HashMap<>();
        List<Sandbox.Unpack> jobs = new ArrayList<>();
        Map<String, Path> partials = new LinkedHashMap<>();
        int layerCount = 0;
        for (Map.Entry<String, Job> entry : wanted.entrySet()) {
            Path target = cacheRoot.resolve(entry.getKey());
            if (Files.isDirectory(target)) {
                touch(target);
                dirs.put(entry.getKey(), target);
                continue;
            }
            Files.createDirectories(cacheRoot);
            Path partial = cacheRoot.resolve(".partial-" + entry.getKey() + "-" + ProcessHandle.current().pid() + "-"
                    + System.nanoTime());
            List<Sandbox.LayerBlob> blobs = new ArrayList<>();
            for (LayerRecord layer : entry.getValue().layers()) {
                Digest digest = layer.descriptor().digest();
                if (!session.store().ensure(digest)) { // a registry cache's layer is downloaded when first read
                    throw new IOException("layer " + digest + " is missing from the store");
                }
                blobs.add(new Sandbox.LayerBlob(session.store().path(digest), digest.toString(), layer.diffId().toString()));
            }
            List<Path> parents = new ArrayList<>();
            for (Object parent : entry.getValue().parents()) {
                if (parent instanceof Path path) {
                    parents.add(path);
                } else {
                    String name = (String) parent;
                    Path dir = partials.containsKey(name) ? partials.get(name)
                            : dirs.containsKey(name) ? dirs.get(name) : known.get(name);
                    parents.add(dir != null ? dir : cacheRoot.resolve(name));
                }
            }
            jobs.add(new Sandbox.Unpack(partial, blobs, parents));
            partials.put(entry.getKey(), partial);
            layerCount += blobs.size();
        }
        if (jobs.isEmpty()) {
            return dirs;
        }
        List<LayerRecord> all = new ArrayList<>();
        wanted.forEach((name, job) -> {
            if (partials.containsKey(name)) {
                all.addAll(job.layers());
            }
        });
        session.listener().log(step, layerCount == 1
                ? "unpacking layer " + all.get(0).diffId().shortHex() + " for RUN"
                : "unpacking " + layerCount + " layers (" + all.get(0).diffId().shortHex() + " to "
                        + all.get(all.size() - 1).diffId().shortHex() + ") for RUN");
        try {
            String subject = layerCount == 1 ? "layer" : layerCount + " layers";
            sandbox().unpackAll(jobs, (done, total) -> session.listener().progress(step, BuildListener.Work.EXTRACT, subject,
                    done, total));
        } catch (IOException | InterruptedException | RuntimeException e) {
            // A cancelled stage (another one failed, or Ctrl-C) must not leave half-unpacked trees.
            for (Path partial : partials.values()) {
                try {
                    sandbox().delete(partial);
                } catch (SandboxException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        for (Map.Entry<String, Path> entry : partials.entrySet()) {
            Path target = cacheRoot.resolve(entry.getKey());
            // A directory under its final name is always complete (renamed in when finished, renamed
            // away before removal), so another build's directory found there is used instead of ours.
            if (!FileTrees.renameIntoPlace(entry.getValue(), target, dir -> true)) {
                sandbox().delete(entry.getValue());
            }
            dirs.put(entry.getKey(), target);
        }
        return dirs;
    }

    /** Marks a cached directory as used now: {@code jbuild prune --filter until=...} keeps it. */
    private static void touch(Path dir) {
        try {
            Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // only affects pruning
        }
    }

    private static String chainId(List<LayerRecord> layers) {
        StringBuilder ids = new StringBuilder();
        for (LayerRecord layer : layers) {
            ids.append(layer.diffId()).append('\n');
        }
        return Digest.of(ids.toString().getBytes(StandardCharsets.UTF_8)).hex();
    }

    /**
     * Where RUN cache mounts live for stages that may not use the cache: one empty directory for the whole
     * build, so that two RUNs (of any such stage) with one cache id share it, as they share BuildKit's.
     */
    public synchronized Path uncachedCacheMounts() {
        if (uncachedCacheMounts == null) {
            try {
                uncachedCacheMounts = Files.createDirectories(session.scratchDir().resolve("cache-mounts-no-cache"))
                        .toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return uncachedCacheMounts;
    }

    /** Removes the runs' directories, then ends the sandbox's agent (which removes them). */
    @Override
    public synchronized void close() {
        for (RunResult run : openRuns) {
            try {
                run.close();
            } catch (SandboxException e) {
                session.listener().warning("could not remove a RUN's scratch files: " + e.getMessage());
            }
        }
        openRuns.clear();
        if (uncachedCacheMounts != null && sandbox != null) {
            // Files a RUN wrote there may belong to the user namespace's other ids: only the agent removes them.
            try {
                sandbox.delete(uncachedCacheMounts);
            } catch (SandboxException e) {
                session.listener().warning("could not remove the build's cache mounts: " + e.getMessage());
            }
        }
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }
}
