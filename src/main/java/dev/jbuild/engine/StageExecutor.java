package dev.jbuild.engine;

import dev.jbuild.attestation.ProvenanceFacts;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.InvalidMountException;
import dev.jbuild.dockerfile.MountFlag;
import dev.jbuild.dockerfile.RunMount;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.cache.BuildCache;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.fs.Lower;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.RootfsLayers;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.engine.step.Step;
import dev.jbuild.engine.step.StepContext;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.plan.Stage;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the instructions of one stage against its {@link ImageState}, each as its {@link Step}: metadata
 * instructions change the config, WORKDIR/COPY/ADD/RUN add layers. This class owns what every kind shares:
 * progress, the cache lookup and record, and committing a step's layer and history.
 */
final class StageExecutor {

    private final BuildSession session;
    private final Stage stage;
    private final ImageState state;
    /** What the stage's steps work with. */
    private final StepContext context;
    /** Whether steps may come from the cache (not with --no-cache or a matching --no-cache-filter). */
    private final boolean lookups;
    /** Whether the layer the last executed step wrote has whiteouts (then it cannot stand alone as a lower). */
    private boolean lastLayerHasWhiteouts;

    StageExecutor(BuildSession session, Stage stage, ImageState state, StageSources sources, RootfsLayers rootfs) {
        this.session = session;
        this.stage = stage;
        this.state = state;
        this.lookups = session.cache().lookups(stage);
        this.context = new StepContext(session, state, sources, rootfs, lookups);
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
        List<Instruction> all = new ArrayList<>(triggers);
        all.addAll(stage.instructions());
        List<Step> steps = all.stream().map(instruction -> Step.of(context, instruction)).toList();
        int shown = (int) steps.stream().filter(Step::isVertex).count();
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
                int layersBefore = state.layers().size();
                boolean cached;
                if (steps.get(i).isVertex()) {
                    StepId id = session.startStep(label, ++index, shown, text);
                    long started = System.nanoTime();
                    cached = execute(id, steps.get(i));
                    session.finishStep(id, cached, started);
                } else {
                    cached = execute(null, steps.get(i));
                    session.listener().metadataApplied(stage.displayName(), text, cached);
                }
                record(instruction, text, layersBefore, cached);
            } catch (IOException e) {
                // A full disk (writing a layer into the store, say) is named as such, not by its aftermath.
                String message = NoSpaceLeftException.forStore(e, session.store().root(), session.store().root()).getMessage();
                throw new BuildException(instruction.location(), keyword(instruction) + " failed: " + message, e);
            } catch (IllegalArgumentException e) {
                throw new BuildException(instruction.location(), e.getMessage(), e);
            }
        }
    }

    /**
     * The build checks of the stage's steps ({@link Builder#check}): each step's inputs read as for its key,
     * which expands its words (UndefinedVar) and looks at its sources (CopyIgnoredFile); metadata instructions
     * are applied so that later words see their ENV and ARG. No file-changing step runs, nothing is cached; a
     * step whose inputs cannot be read (a file only an earlier RUN would make) is the build's to report.
     */
    void check(List<Instruction> triggers) throws BuildException {
        List<Instruction> all = new ArrayList<>(triggers);
        all.addAll(stage.instructions());
        for (Instruction instruction : all) {
            Step step = Step.of(context, instruction);
            String parent = state.cacheKey();
            String key = null;
            try {
                key = parent == null ? null : step.inputKey(parent);
            } catch (BuildException | IOException | RuntimeException e) {
                // the build reports it when it reaches the step
            }
            if (!step.isVertex()) {
                try {
                    step.execute(null);
                } catch (IOException e) {
                    throw new BuildException(instruction.location(), keyword(instruction) + " failed: " + e.getMessage(), e);
                }
            }
            // Later steps' keys need a parent; one the step's text names stands in for a result never made.
            state.setCacheKey(key != null ? key : parent + " " + instruction.location().startLine());
        }
    }

    /**
     * Tells the build's materials what the step did: its layer, whether a RUN had network access, and the secrets
     * and SSH agents its mounts named (what BuildKit's provenance lists, rather than the {@code --secret} flags).
     */
    private void record(Instruction instruction, String text, int layersBefore, boolean cached) {
        Digest layer = state.layers().size() > layersBefore ? state.layers().get(state.layers().size() - 1).descriptor().digest()
                : null;
        session.materials().step(new ProvenanceFacts.BuildStep(stage.displayName(), text,
                instruction.location().file() + ":" + instruction.location().startLine(), layer, cached));
        if (instruction instanceof Instruction.Run run
                && !"none".equals(run.network() != null ? run.network() : session.request().network())) {
            session.materials().usedNetwork();
        }
        if (instruction instanceof Instruction.Run run) {
            for (MountFlag flag : run.mounts()) {
                RunMount mount;
                try {
                    mount = flag.expand(word -> session.words().expand(word, state.expansionScope()));
                } catch (InvalidMountException | ShellExpansionException e) {
                    continue; // the step itself expanded it already; it cannot fail now
                }
                if (mount instanceof RunMount.Secret secret) {
                    session.materials().secret(secret.id(), secret.required());
                } else if (mount instanceof RunMount.Ssh ssh) {
                    session.materials().ssh(ssh.id(), ssh.required());
                }
            }
        }
    }

    /**
     * Runs one step, or takes its result from the cache; ONBUILD triggers of a base image come through here
     * too. Every kind goes the same way: its key from its inputs and a lookup, else it runs, its layer (or an
     * empty history entry) is committed, a step without an input key is keyed by its result (a metadata
     * instruction's record may then stand in, keeping the history time of the build that first made it), and
     * the record is saved. Returns true for a cache hit.
     */
    boolean execute(StepId id, Step step) throws BuildException, IOException {
        String parent = state.cacheKey();
        // Without a parent nothing is keyed by its inputs (jbuild always has one: a base is keyed by its digest).
        String key = parent == null ? null : step.inputKey(parent);
        if (!step.recordsHistory()) {
            // No history entry to keep or cache (ONBUILD): applied, and keyed by the config it leads to.
            step.execute(id);
            state.setCacheKey(parent == null ? null : step.resultKey(parent, null));
            return false;
        }
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
        commitLayer(id, step.instruction(), step.execute(id), step.stacksForRun());
        LayerRecord layer = state.layers().size() > layersBefore ? state.layers().get(state.layers().size() - 1) : null;
        ImageConfig.History history = state.history().get(state.history().size() - 1);
        if (key == null) {
            key = step.resultKey(parent, layer);
            if (step.reusesResult() && lookups) {
                Optional<BuildCache.Entry> hit = session.cache().lookup(stage.index(), key);
                if (hit.isPresent() && sameHistory(hit.get().history(), history)) {
                    state.history().set(state.history().size() - 1, hit.get().history());
                    stepDone(key, hit.get().history());
                    return true;
                }
            }
        }
        session.cache().save(stage.index(), key, new BuildCache.Entry(layer, lastLayerHasWhiteouts, history, state.config()));
        stepDone(key, history);
        return false;
    }

    private static boolean sameHistory(ImageConfig.History cached, ImageConfig.History fresh) {
        return Objects.equals(cached.createdBy(), fresh.createdBy()) && cached.emptyLayer() == fresh.emptyLayer()
                && Objects.equals(cached.comment(), fresh.comment());
    }

    private void stepDone(String key, ImageConfig.History history) {
        state.setCacheKey(key);
        Instant time = session.createdTime();
        try {
            time = OffsetDateTime.parse(history.created()).toInstant();
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

    private static String keyword(Instruction instruction) {
        return instruction.node().keyword().toUpperCase(Locale.ROOT);
    }
}
