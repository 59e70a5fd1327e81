package dev.jbuild.build;

import dev.jbuild.image.Digest;
import dev.jbuild.sandbox.RunResult;
import dev.jbuild.sandbox.Sandbox;
import dev.jbuild.sandbox.SandboxException;
import dev.jbuild.sandbox.SandboxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories RUN steps stand on. Base layer chains and single layers are unpacked once into
 * the store's {@code rootfs/} cache (inside the user namespace, so files have their container
 * owners) and shared by later builds; a RUN's own upper directory stays in use, through its open
 * {@link RunResult}, until the build ends. The sandbox is opened on the first RUN, so builds
 * without RUN never need namespaces.
 *
 * <p>Shared by the stages of a build, which run concurrently: the sandbox is opened once, runs are
 * kept in a synchronised list, and two stages needing the same layers unpack them once (the
 * second waits for the first) rather than racing to the rename.
 */
final class RootfsLayers implements AutoCloseable {

    private final BuildSession session;
    private final Path cacheRoot;
    private final List<RunResult> openRuns = new ArrayList<>();
    /** One lock per cache directory name, held while it is unpacked. */
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.locks.ReentrantLock> unpacking =
            new java.util.concurrent.ConcurrentHashMap<>();
    private Sandbox sandbox;

    RootfsLayers(BuildSession session) {
        this.session = session;
        this.cacheRoot = session.store.root().resolve("rootfs");
    }

    synchronized Sandbox sandbox() throws SandboxException {
        if (sandbox == null) {
            SandboxOptions options = SandboxOptions.defaults(session.scratchDir.resolve("sandbox"))
                    .withSnapshotter(session.request.snapshotter()).withIsolation(session.request.isolation());
            try {
                sandbox = Sandbox.open(options);
            } catch (SandboxException e) {
                // The sandbox cannot start at all: namespaces, id maps or tools are missing here.
                throw new SandboxException(e.getMessage(), new BuildException.EnvironmentProblem(e.getMessage(), e));
            }
            sandbox.warnings().forEach(session.listener::warning);
        }
        return sandbox;
    }

    /** Keeps a run's directories alive until the build is over (later RUNs stand on its upper dir). */
    synchronized void keep(RunResult result) {
        openRuns.add(result);
    }

    /** The directories of {@code lowers}, top first, unpacking what is not cached yet. */
    List<Path> materialise(StepId step, List<Lower> lowers) throws IOException, InterruptedException {
        List<Path> dirs = new ArrayList<>();
        for (Lower lower : lowers) {
            if (lower instanceof Lower.Dir dir) {
                dirs.add(dir.path());
            } else if (lower instanceof Lower.Single single) {
                dirs.add(unpacked(step, "layer-" + single.layer().diffId().hex(), List.of(single.layer())));
            } else {
                List<LayerRecord> chain = ((Lower.Chain) lower).layers();
                if (!chain.isEmpty()) {
                    dirs.add(unpacked(step, "chain-" + chainId(chain), chain));
                }
            }
        }
        if (dirs.isEmpty()) {
            Path empty = session.scratchDir.resolve("empty-rootfs");
            Files.createDirectories(empty);
            dirs.add(empty);
        }
        return dirs;
    }

    /** One directory holding {@code layers} merged: what a bind mount of a stage or image shows. */
    Path merged(StepId step, List<LayerRecord> layers) throws IOException, InterruptedException {
        if (layers.isEmpty()) {
            Path empty = session.scratchDir.resolve("empty-rootfs");
            Files.createDirectories(empty);
            return empty;
        }
        return unpacked(step, "chain-" + chainId(layers), layers);
    }

    /** A cached directory, or a new one made by unpacking {@code layers} in order and renamed into place. */
    private Path unpacked(StepId step, String name, List<LayerRecord> layers) throws IOException, InterruptedException {
        java.util.concurrent.locks.ReentrantLock lock =
                unpacking.computeIfAbsent(name, k -> new java.util.concurrent.locks.ReentrantLock());
        lock.lockInterruptibly();
        try {
            return unpackedLocked(step, name, layers);
        } finally {
            lock.unlock();
        }
    }

    private Path unpackedLocked(StepId step, String name, List<LayerRecord> layers) throws IOException, InterruptedException {
        Path target = cacheRoot.resolve(name);
        if (Files.isDirectory(target)) {
            touch(target);
            return target;
        }
        Files.createDirectories(cacheRoot);
        Path partial = cacheRoot.resolve(".partial-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        List<Sandbox.LayerBlob> blobs = new ArrayList<>();
        for (LayerRecord layer : layers) {
            Digest digest = layer.descriptor().digest();
            if (!session.store.ensure(digest)) { // a registry cache's layer is downloaded when first read
                throw new IOException("layer " + digest + " is missing from the store");
            }
            blobs.add(new Sandbox.LayerBlob(session.store.path(digest), digest.toString(), layer.diffId().toString()));
        }
        session.listener.log(step, layers.size() == 1
                ? "unpacking layer " + layers.get(0).diffId().shortHex() + " for RUN"
                : "unpacking " + layers.size() + " layers (" + layers.get(0).diffId().shortHex() + " to "
                        + layers.get(layers.size() - 1).diffId().shortHex() + ") for RUN");
        try {
            sandbox().unpack(partial, blobs);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // A cancelled stage (another one failed, or Ctrl-C) must not leave a half-unpacked tree.
            try {
                sandbox().delete(partial);
            } catch (SandboxException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // Another build unpacked the same layers meanwhile: use theirs.
            sandbox().delete(partial);
        }
        return target;
    }

    /** Marks a cached directory as used now: {@code jbuild prune --filter until=...} keeps it. */
    private static void touch(Path dir) {
        try {
            Files.setLastModifiedTime(dir, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
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

    @Override
    public synchronized void close() {
        for (RunResult run : openRuns) {
            try {
                run.close();
            } catch (SandboxException e) {
                session.listener.warning("could not remove a RUN's scratch files: " + e.getMessage());
            }
        }
        openRuns.clear();
    }
}
