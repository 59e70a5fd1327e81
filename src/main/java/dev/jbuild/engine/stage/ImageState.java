package dev.jbuild.engine.stage;

import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.fs.LayerIndex;
import dev.jbuild.engine.fs.LayerOrigin;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.fs.Lower;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A stage's image while its instructions run: the config, the layers and history so far, the
 * merged file tree, and the ARG values in scope. Mutable and confined to the stage's thread; a
 * stage that starts from another takes a {@link #copy()}.
 *
 * <p>Once its stage has finished, a state is read by the stages that depend on it, on their own
 * threads and possibly at the same time (FROM it, COPY --from it, a loaded base image copied by
 * several stages). Reading the tree may still index lazily added layers, so {@link #fs()},
 * {@link #copy()} and {@link #indexLater} synchronise; after indexing the tree is only read.
 */
public final class ImageState {

    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** ARGs that switch the SBOM scan on for a stage or the context: BuildKit keeps them out of the environment. */
    private static final Set<String> NON_ENV_ARGS = Set.of("BUILDKIT_SBOM_SCAN_STAGE", "BUILDKIT_SBOM_SCAN_CONTEXT");

    private ImageConfig config;
    private final List<LayerRecord> layers;
    private final List<ImageConfig.History> history;
    private final FsView fs;
    /** Layers whose entries are not in {@link #fs} yet (cache hits, base layers): read on first use. */
    private final List<Pending> unindexed = new ArrayList<>();
    private Store unindexedStore;
    /**
     * The cache key of the image so far: the base's manifest digest, then each step's key. Null when
     * it cannot be keyed (never for images jbuild can build).
     */
    private String cacheKey;
    /** When the newest step of this image was built (a cache hit keeps the original time); null before any. */
    private Instant lastStepTime;
    /** ARG values in scope, in declaration order; they are not part of the image. */
    private final Map<String, String> args;
    /**
     * The ARGs declared after the last ENV of the same name: in the build's variables their value wins over the
     * ENV's (BuildKit's ARG writes its value into the stage's environment; the image's ENV keeps its own).
     */
    private final Set<String> argsOverEnv = new HashSet<>();
    /** True once this stage ran CMD: a later ENTRYPOINT then keeps it (Docker's rule). */
    private boolean cmdSet;
    /** The overlay stack a RUN would stand on, top first (materialised only when a RUN comes). */
    private final List<Lower> lowers;
    /**
     * The platform the stage's steps run and are keyed for: its {@code FROM --platform}, else the stage it starts
     * from's, else the build's. Null until the builder sets it (a base image not yet given to a stage).
     */
    private Platform platform;

    public ImageState(ImageConfig config, List<LayerRecord> layers, List<ImageConfig.History> history, FsView fs,
            List<Lower> lowers) {
        this.config = config;
        this.layers = new ArrayList<>(layers);
        this.history = new ArrayList<>(history);
        this.fs = fs;
        this.args = new LinkedHashMap<>();
        this.lowers = new ArrayList<>(lowers);
    }

    /**
     * A new stage's state on top of this one: the same image, and the ARG values this stage had, under the image's
     * ENV. BuildKit starts a stage from another with that stage's environment (its ARGs in it) and sets the
     * image's ENV over it again, so {@code FROM base} sees base's ARGs, but an ENV of the same name wins.
     */
    public synchronized ImageState copy() {
        ImageState copy = new ImageState(config, layers, history, fs.copy(), lowers);
        copy.args.putAll(args);
        copy.platform = platform;
        copy.unindexed.addAll(unindexed);
        copy.unindexedStore = unindexedStore;
        copy.cacheKey = cacheKey;
        copy.lastStepTime = lastStepTime;
        return copy;
    }

    /** The merged file tree, after reading the layers that were added without their entries. */
    public synchronized FsView fs() throws IOException {
        while (!unindexed.isEmpty()) {
            LayerRecord layer = unindexed.get(0).layer();
            fs.beginLayer();
            Digest blob = layer.descriptor().digest();
            for (LayerEntry entry : new LayerIndex(unindexedStore).entries(layer, unindexed.get(0).origin())) {
                fs.apply(entry, entry instanceof LayerEntry.RegularFile
                        ? new FsView.Content.InLayer(blob, entry.path()) : null);
            }
            unindexed.remove(0);
        }
        return fs;
    }

    /** Whether {@link #fs} has every layer in it already (it reads none). */
    public synchronized boolean indexed() {
        return unindexed.isEmpty();
    }

    /** Adds {@code layer}'s entries to the tree later, when something needs the tree. */
    public synchronized void indexLater(LayerRecord layer, Store store) {
        indexLater(layer, null, store);
    }

    /** As {@link #indexLater(LayerRecord, dev.jbuild.store.Store)} for a layer of a named image, named so in errors. */
    synchronized void indexLater(LayerRecord layer, LayerOrigin origin, Store store) {
        unindexed.add(new Pending(layer, origin));
        unindexedStore = store;
    }

    /** A layer not indexed yet, and where it came from (null: a step's layer). */
    private record Pending(LayerRecord layer, LayerOrigin origin) {}

    public ImageConfig config() {
        return config;
    }

    public void setConfig(ImageConfig config) {
        this.config = config;
    }

    /** The image's layers, bottom first; steps append to it. */
    public List<LayerRecord> layers() {
        return layers;
    }

    /** The image's history, one entry per instruction; steps append to it. */
    public List<ImageConfig.History> history() {
        return history;
    }

    /** The cache key of the image so far (see the field). */
    public String cacheKey() {
        return cacheKey;
    }

    public void setCacheKey(String cacheKey) {
        this.cacheKey = cacheKey;
    }

    /** When the newest step of this image was built; null before any. */
    public Instant lastStepTime() {
        return lastStepTime;
    }

    /** Records that a step built at {@code time}; the newest time is kept. */
    public void stepBuiltAt(Instant time) {
        lastStepTime = lastStepTime == null || time.isAfter(lastStepTime) ? time : lastStepTime;
    }

    /** ARG values in scope, in declaration order (a stage started from another starts with its values). */
    public Map<String, String> args() {
        return Collections.unmodifiableMap(args);
    }

    /** Declares an ARG's value: it is in scope from here, over an ENV of the same name until an ENV sets it again. */
    public void declareArg(String name, String value) {
        args.put(name, value);
        argsOverEnv.add(name);
    }

    /** The platform the stage's steps run for (see the field). */
    public Platform platform() {
        return platform;
    }

    public void setPlatform(Platform platform) {
        this.platform = platform;
    }

    /** Whether this stage ran CMD (a later ENTRYPOINT then keeps it). */
    public boolean cmdSet() {
        return cmdSet;
    }

    public void markCmdSet() {
        cmdSet = true;
    }

    /** The overlay stack a RUN would stand on, top first; steps change it. */
    public List<Lower> lowers() {
        return lowers;
    }

    public ImageConfig.Config runConfig() {
        return config.config() == null ? ImageConfig.Config.EMPTY : config.config();
    }

    public void updateRunConfig(UnaryOperator<ImageConfig.Config> change) {
        config = config.withConfig(change.apply(runConfig()));
    }

    /** The ENV of the image as a map, in order. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> list = runConfig().env();
        if (list != null) {
            for (String entry : list) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    env.put(entry.substring(0, equals), entry.substring(equals + 1));
                } else {
                    env.put(entry, "");
                }
            }
        }
        return env;
    }

    /** Sets one ENV variable, keeping the position of an existing one; it wins over an earlier ARG of its name. */
    public void setEnv(String key, String value) {
        argsOverEnv.remove(key);
        Map<String, String> env = env();
        env.put(key, value);
        List<String> list = new ArrayList<>();
        env.forEach((k, v) -> list.add(k + "=" + v));
        updateRunConfig(c -> c.withEnv(list));
    }

    /**
     * The build's variables here, what a word expands to and a RUN's environment holds (BuildKit's state env):
     * the image's ENV in its order, then the ARGs it does not set; an ARG declared after the ENV of its name
     * replaces that value in place. The ARGs that only steer the build (the SBOM scan switches) are not in it.
     */
    public Map<String, String> variables() {
        Map<String, String> variables = env();
        args.forEach((name, value) -> {
            if (NON_ENV_ARGS.contains(name)) {
                return;
            }
            if (argsOverEnv.contains(name)) {
                variables.put(name, value);
            } else {
                variables.putIfAbsent(name, value);
            }
        });
        return variables;
    }

    /** What a Dockerfile word can expand to here: {@link #variables()}. */
    public Map<String, String> expansionScope() {
        return variables();
    }

    /** The working directory, cleaned ({@code /a/c} for a config's {@code //a//b/../c}); "/" when unset. */
    public String workingDir() {
        String dir = runConfig().workingDir();
        return dir == null || dir.isEmpty() ? "/" : "/" + LayerPaths.clean(dir);
    }

    /** The USER in force, "" for the default (root). */
    public String user() {
        String user = runConfig().user();
        return user == null ? "" : user;
    }
}
