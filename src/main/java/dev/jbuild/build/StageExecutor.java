package dev.jbuild.build;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.plan.Stage;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs the instructions of one stage against its {@link ImageState}: metadata instructions change
 * the config, WORKDIR/COPY/ADD add layers. The rules are Docker's (BuildKit's dockerfile2llb),
 * noted where they surprise.
 */
final class StageExecutor {

    private final BuildSession session;
    private final Stage stage;
    private final ImageState state;
    private final StageSources sources;
    private final RootfsLayers rootfs;
    private final StepKeys keys;
    /** Whether steps may come from the cache (not with --no-cache or a matching --no-cache-filter). */
    private final boolean lookups;
    /** Whether the layer the last executed step wrote has whiteouts (then it cannot stand alone as a lower). */
    private boolean lastLayerHasWhiteouts;

    StageExecutor(BuildSession session, Stage stage, ImageState state, StageSources sources, RootfsLayers rootfs) {
        this.session = session;
        this.stage = stage;
        this.state = state;
        this.sources = sources;
        this.rootfs = rootfs;
        this.keys = new StepKeys(session, state, sources);
        this.lookups = session.cache().lookups(stage);
    }

    /**
     * Runs the base image's ONBUILD {@code triggers}, then the stage's instructions. As in BuildKit,
     * only instructions that change the file tree (COPY, ADD, RUN, WORKDIR) are steps of progress
     * output, numbered {@code [stage i/n]} among themselves (triggers first, shown as
     * {@code ONBUILD ...}); metadata instructions (ENV, ARG, LABEL, CMD, ...) are applied and cached
     * the same way but only reported through {@link BuildListener#metadataApplied}. A Dockerfile
     * with one stage shows no stage name ({@code [1/2]}), as BuildKit prints it.
     */
    void run(List<Instruction> triggers) throws BuildException {
        List<Instruction> all = new java.util.ArrayList<>(triggers);
        all.addAll(stage.instructions());
        int shown = (int) all.stream().filter(StageExecutor::isLayerStep).count();
        String label = session.request().plan().stages().size() == 1 ? "" : stage.displayName();
        int index = 0;
        for (int i = 0; i < all.size(); i++) {
            Instruction instruction = all.get(i);
            if (Thread.currentThread().isInterrupted()) {
                // Another stage failed or the build was stopped: start nothing new.
                throw new BuildException(instruction.location(), "build cancelled");
            }
            String text = (i < triggers.size() ? "ONBUILD " : "") + instruction.node().original();
            try {
                if (isLayerStep(instruction)) {
                    StepId step = session.startStep(label, ++index, shown, text);
                    long started = System.nanoTime();
                    session.finishStep(step, execute(step, instruction), started);
                } else {
                    session.listener().metadataApplied(stage.displayName(), text, execute(null, instruction));
                }
            } catch (IOException e) {
                // A full disk (writing a layer into the store, say) is named as such, not by its aftermath.
                String message = NoSpaceLeftException.forStore(e, session.store().root(), session.store().root()).getMessage();
                throw new BuildException(instruction.location(), keyword(instruction) + " failed: " + message, e);
            } catch (IllegalArgumentException e) {
                throw new BuildException(instruction.location(), e.getMessage(), e);
            }
        }
    }

    /** The instructions that make a layer (or may): BuildKit's vertexes of a Dockerfile stage. */
    private static boolean isLayerStep(Instruction instruction) {
        return instruction instanceof Instruction.Copy || instruction instanceof Instruction.Add
                || instruction instanceof Instruction.Run || instruction instanceof Instruction.Workdir;
    }

    /**
     * Runs one instruction, or takes its result from the cache; ONBUILD triggers of a base image
     * come through here too. Returns true for a cache hit.
     */
    boolean execute(StepId step, Instruction instruction) throws BuildException, IOException {
        if (instruction instanceof Instruction.From) {
            throw new IllegalStateException("FROM is handled by the builder");
        }
        String parent = state.cacheKey();
        if (!isLayerStep(instruction)) {
            // Metadata: applying it is cheap and exact; the key covers the config it leads to, and a
            // hit keeps the history entry (its time) of the build that first made it.
            apply(step, instruction);
            String key = keys.metadata(parent, instruction);
            Optional<BuildCache.Entry> hit = lookups ? session.cache().lookup(stage.index(), key) : Optional.empty();
            ImageConfig.History fresh = state.history().get(state.history().size() - 1);
            if (hit.isPresent() && sameHistory(hit.get().history(), fresh)) {
                state.history().set(state.history().size() - 1, hit.get().history());
                stepDone(key, hit.get().history());
                return true;
            }
            session.cache().save(stage.index(), key, new BuildCache.Entry(null, false, fresh, state.config()));
            stepDone(key, fresh);
            return false;
        }
        String key = keys.layer(parent, instruction);
        if (key != null && lookups) {
            Optional<BuildCache.Entry> hit = session.cache().lookup(stage.index(), key);
            if (hit.isPresent()) {
                applyCached(hit.get());
                stepDone(key, hit.get().history());
                return true;
            }
        }
        int layersBefore = state.layers().size();
        lastLayerHasWhiteouts = false;
        apply(step, instruction);
        LayerRecord layer = state.layers().size() > layersBefore ? state.layers().get(state.layers().size() - 1) : null;
        if (key == null) {
            // Not keyable before it ran (ADD from a URL): key the result instead, so later steps can still hit.
            key = new CacheKey(parent).instruction(instruction.node())
                    .put("result", layer == null ? "none" : layer.diffId().toString()).hex();
        }
        ImageConfig.History history = state.history().get(state.history().size() - 1);
        session.cache().save(stage.index(), key, new BuildCache.Entry(layer, lastLayerHasWhiteouts, history, state.config()));
        stepDone(key, history);
        return false;
    }

    private static boolean sameHistory(ImageConfig.History cached, ImageConfig.History fresh) {
        return java.util.Objects.equals(cached.createdBy(), fresh.createdBy()) && cached.emptyLayer() == fresh.emptyLayer()
                && java.util.Objects.equals(cached.comment(), fresh.comment());
    }

    private void stepDone(String key, ImageConfig.History history) {
        state.setCacheKey(key);
        java.time.Instant time = session.createdTime();
        try {
            time = java.time.OffsetDateTime.parse(history.created()).toInstant();
        } catch (RuntimeException e) {
            // keep the build's time
        }
        state.stepBuiltAt(time);
    }

    /** A layer step's result from the cache: its layer (read into the tree only when needed), history and config. */
    private void applyCached(BuildCache.Entry entry) {
        state.setConfig(entry.config());
        state.history().add(entry.history());
        LayerRecord layer = entry.layer();
        if (layer == null) {
            return;
        }
        state.layers().add(layer);
        state.indexLater(layer, session.store());
        if (entry.whiteouts()) {
            // Whiteouts only mean something on top of the layers below: stack the whole chain as one lower.
            state.lowers().clear();
            state.lowers().add(new Lower.Chain(state.layers()));
        } else {
            state.lowers().add(0, new Lower.Single(state.layers()));
        }
    }

    /** Executes one instruction. */
    private void apply(StepId step, Instruction instruction) throws BuildException, IOException {
        Location at = instruction.location();
        Map<String, String> scope = state.expansionScope();
        if (instruction instanceof Instruction.Arg arg) {
            declareArgs(arg, scope);
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Env env) {
            // Every name and value sees the variables as they were before this instruction (Docker's
            // rule). Names are expanded like values, so ENV "A"=1 and ENV ${name}=1 define A and
            // the value of name, as in BuildKit; so are stage ARG names (declareArgs).
            for (Instruction.KeyValue variable : env.variables()) {
                state.setEnv(session.expand(variable.key(), scope, at), session.expand(variable.value(), scope, at));
            }
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Label label) {
            Map<String, String> labels = new TreeMap<>(nonNull(state.runConfig().labels()));
            for (Instruction.KeyValue pair : label.labels()) {
                labels.put(session.expand(pair.key(), scope, at), session.expand(pair.value(), scope, at));
            }
            state.updateRunConfig(c -> c.withLabels(labels));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Maintainer maintainer) {
            state.setConfig(state.config().withAuthor(maintainer.maintainer()));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Expose expose) {
            Set<String> ports = new LinkedHashSet<>(nonNull(state.runConfig().exposedPorts()));
            for (String word : expose.ports()) {
                for (String spec : session.expandWords(word, scope, at)) {
                    ports.addAll(PortSpecs.parse(spec));
                }
            }
            state.updateRunConfig(c -> c.withExposedPorts(ports));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Volume volume) {
            Set<String> volumes = new LinkedHashSet<>(nonNull(state.runConfig().volumes()));
            for (String path : volume.paths()) {
                String expanded = session.expand(path, scope, at);
                if (expanded.isBlank()) {
                    throw new BuildException(at, "VOLUME specified can not be an empty string");
                }
                volumes.add(expanded);
            }
            state.updateRunConfig(c -> c.withVolumes(volumes));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.User user) {
            String value = session.expand(user.user(), scope, at);
            state.updateRunConfig(c -> c.withUser(value));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Workdir workdir) {
            workdir(step, workdir, scope);
        } else if (instruction instanceof Instruction.Cmd cmd) {
            List<String> argv = commandLine(cmd.command());
            state.updateRunConfig(c -> c.withCmd(argv));
            state.markCmdSet();
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Entrypoint entrypoint) {
            List<String> argv = commandLine(entrypoint.command());
            // An ENTRYPOINT drops a CMD inherited from the base image, but not one this stage set.
            boolean keepCmd = state.cmdSet();
            state.updateRunConfig(c -> keepCmd ? c.withEntrypoint(argv) : c.withEntrypoint(argv).withCmd(null));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Shell shell) {
            state.updateRunConfig(c -> c.withShell(shell.shell()));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Healthcheck healthcheck) {
            state.updateRunConfig(c -> c.withHealthcheck(healthcheck(healthcheck)));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Stopsignal stopsignal) {
            String signal = session.expand(stopsignal.signal(), scope, at);
            state.updateRunConfig(c -> c.withStopSignal(Signals.validate(signal)));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Onbuild onbuild) {
            List<String> triggers = new ArrayList<>(nonNull(state.runConfig().onBuild()));
            triggers.add(onbuild.expression());
            state.updateRunConfig(c -> c.withOnBuild(triggers));
            commitMetadata(instruction);
        } else if (instruction instanceof Instruction.Copy copy) {
            commitLayer(step, instruction, new CopyStep(session, state, sources).copy(copy, scope), true);
        } else if (instruction instanceof Instruction.Add add) {
            commitLayer(step, instruction, new CopyStep(session, state, sources).add(add, scope), true);
        } else if (instruction instanceof Instruction.Run run) {
            // The RUN's upper directory is already on the overlay stack; the layer only records it.
            commitLayer(step, instruction, new RunStep(session, step, state, rootfs, sources).run(run), false);
        } else if (instruction instanceof Instruction.From) {
            throw new IllegalStateException("FROM is handled by the builder");
        }
    }

    private void declareArgs(Instruction.Arg arg, Map<String, String> scope) throws BuildException {
        Map<String, String> buildArgs = session.request().plan().buildArgs();
        for (Instruction.ArgDeclaration declaration : arg.declarations()) {
            // The name is expanded like the value (ARG ${src}=1), as the planner does.
            String name = session.expand(declaration.name(), scope, arg.location());
            String value = buildArgs.get(name);
            if (value == null && declaration.defaultValue() != null) {
                value = session.expand(declaration.defaultValue(), scope, arg.location());
            }
            if (value == null) {
                value = session.request().plan().globalArgs().get(name);
            }
            if (value == null) {
                value = session.request().plan().builtinArgs().get(name);
            }
            if (value != null) {
                state.args().put(name, value);
                scope.put(name, value);
            }
        }
    }

    private void workdir(StepId step, Instruction.Workdir workdir, Map<String, String> scope) throws BuildException, IOException {
        String path = session.expand(workdir.path(), scope, workdir.location());
        String absolute = path.startsWith("/") ? path : state.workingDir() + "/" + path;
        String clean = "/" + LayerPaths.clean(absolute);
        state.updateRunConfig(c -> c.withWorkingDir(clean));
        // WORKDIR creates the directory and its missing parents when it is missing, owned by the
        // current USER the way BuildKit's mkdir (llb.WithUser) gives it, through symlinks on the way
        // and in the last component (fs.RootPath: a dangling link is created at its target).
        FsView fs = state.fs();
        if (fs.isDirectory(clean)) {
            commitMetadata(workdir);
            return;
        }
        UserDatabase.Ids owner = Ownership.resolve(session, state, state.user(), unknown -> session.listener().warning(
                workdir.location().prefix() + ": " + Ownership.forWorkdir(clean, state.user()) + ": " + unknown));
        List<LayerEntry> entries = new ArrayList<>();
        for (String dir = fs.writePath(clean); !dir.isEmpty() && fs.mustCreateDirectory(dir); dir = LayerPaths.parent(dir)) {
            entries.add(0, new LayerEntry.Directory(dir,
                    new EntryAttributes(0755, owner.uid(), owner.gid(), session.createdDirTime(), Map.of())));
        }
        commitLayer(step, workdir, entries, true);
    }

    private List<String> commandLine(Instruction.Command command) {
        if (command instanceof Instruction.Command.Exec exec) {
            return exec.argv();
        }
        List<String> argv = new ArrayList<>(shell());
        argv.add(((Instruction.Command.Shell) command).script());
        return argv;
    }

    private List<String> shell() {
        List<String> shell = state.runConfig().shell();
        return shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell;
    }

    private ImageConfig.Healthcheck healthcheck(Instruction.Healthcheck check) {
        if (check.disabled()) {
            return new ImageConfig.Healthcheck(List.of("NONE"), null, null, null, null, 0);
        }
        List<String> test = new ArrayList<>();
        if (check.test() instanceof Instruction.Command.Exec exec) {
            test.add("CMD");
            test.addAll(exec.argv());
        } else {
            test.add("CMD-SHELL");
            test.add(((Instruction.Command.Shell) check.test()).script());
        }
        return new ImageConfig.Healthcheck(test, check.interval(), check.timeout(), check.startPeriod(),
                check.startInterval(), check.retries() == null ? 0 : check.retries());
    }

    /** Records an instruction that changed only the config. */
    private void commitMetadata(Instruction instruction) {
        state.history().add(session.history(instruction.node().original(), true));
    }

    /**
     * Writes {@code entries} as a new layer, or records an empty step when there are none. The
     * stage's tree then refers to the layer blob for file content, so nothing depends on the
     * sources (context files, a RUN's scratch directory) staying as they were.
     *
     * @param stackForRun whether a later RUN needs this layer added to its overlay stack (false
     *     for a RUN's own layer, whose upper directory is already there)
     */
    private void commitLayer(StepId step, Instruction instruction, List<LayerEntry> entries, boolean stackForRun)
            throws IOException {
        if (entries.isEmpty()) {
            commitMetadata(instruction);
            return;
        }
        LayerRecord layer = session.writeLayer(step, entries);
        state.layers().add(layer);
        state.history().add(session.history(instruction.node().original(), false));
        if (stackForRun) {
            state.lowers().add(0, new Lower.Single(state.layers()));
        }
        FsView fs = state.fs();
        fs.beginLayer();
        for (LayerEntry entry : entries) {
            lastLayerHasWhiteouts |= entry instanceof LayerEntry.Whiteout || entry instanceof LayerEntry.OpaqueWhiteout;
            fs.apply(entry, entry instanceof LayerEntry.RegularFile
                    ? new FsView.Content.InLayer(layer.descriptor().digest(), entry.path()) : null);
        }
    }

    private static <T> Set<T> nonNull(Set<T> set) {
        return set == null ? Set.of() : set;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
        return map == null ? new LinkedHashMap<>() : map;
    }

    private static String keyword(Instruction instruction) {
        return instruction.node().keyword().toUpperCase(Locale.ROOT);
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
