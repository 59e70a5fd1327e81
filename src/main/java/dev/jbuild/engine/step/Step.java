package dev.jbuild.engine.step;

import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.layer.LayerEntry;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * One instruction of a stage as something to key and run, BuildKit's {@code Op} with its {@code CacheMap} and
 * {@code Exec}: each kind owns both what enters its cache key and what it does, so a new kind is one class
 * and a line of {@link #of}. {@code engine.StageExecutor} runs every kind the same way: key, cache lookup, execute,
 * commit the layer (or an empty history entry) and record. The step reads and changes the stage only through
 * {@link StepContext}, so the steps can move to a package of their own with it.
 *
 * <p>Most steps are keyed by their inputs before they run. Two are keyed by their result instead:
 * metadata instructions, whose key covers the whole config they lead to (applying one is cheap and exact),
 * and ADD from a URL, whose content is known only after the download.
 */
public sealed interface Step permits CopyStep, AddStep, RunStep, WorkdirStep, MetadataStep {

    /** The step of {@code instruction}: the one place that tells instruction kinds apart. */
    static Step of(StepContext context, Instruction instruction) {
        if (instruction instanceof Instruction.Copy copy) {
            return new CopyStep(context, copy);
        } else if (instruction instanceof Instruction.Add add) {
            return new AddStep(context, add);
        } else if (instruction instanceof Instruction.Run run) {
            return new RunStep(context, run);
        } else if (instruction instanceof Instruction.Workdir workdir) {
            return new WorkdirStep(context, workdir);
        } else if (instruction instanceof Instruction.Arg arg) {
            return MetadataStep.arg(context, arg);
        } else if (instruction instanceof Instruction.Env env) {
            return MetadataStep.env(context, env);
        } else if (instruction instanceof Instruction.Label label) {
            return MetadataStep.label(context, label);
        } else if (instruction instanceof Instruction.Maintainer maintainer) {
            return MetadataStep.maintainer(context, maintainer);
        } else if (instruction instanceof Instruction.Expose expose) {
            return MetadataStep.expose(context, expose);
        } else if (instruction instanceof Instruction.Volume volume) {
            return MetadataStep.volume(context, volume);
        } else if (instruction instanceof Instruction.User user) {
            return MetadataStep.user(context, user);
        } else if (instruction instanceof Instruction.Cmd cmd) {
            return MetadataStep.cmd(context, cmd);
        } else if (instruction instanceof Instruction.Entrypoint entrypoint) {
            return MetadataStep.entrypoint(context, entrypoint);
        } else if (instruction instanceof Instruction.Shell shell) {
            return MetadataStep.shell(context, shell);
        } else if (instruction instanceof Instruction.Healthcheck healthcheck) {
            return MetadataStep.healthcheck(context, healthcheck);
        } else if (instruction instanceof Instruction.Stopsignal stopsignal) {
            return MetadataStep.stopsignal(context, stopsignal);
        } else if (instruction instanceof Instruction.Onbuild onbuild) {
            return MetadataStep.onbuild(context, onbuild);
        }
        throw new IllegalStateException(instruction.node().keyword().toUpperCase(Locale.ROOT)
                + " is handled by the builder");
    }

    Instruction instruction();

    /**
     * Whether progress shows the step as one of its own (BuildKit's vertexes of a stage: COPY, ADD, RUN,
     * WORKDIR); metadata instructions are only reported as applied.
     */
    boolean isVertex();

    /**
     * The key of the step on top of {@code parent} (never null) from what it will see, before it runs; null
     * when it can be keyed only by its result ({@link #resultKey}). May refuse the step (a flag that is not
     * implemented) before any cache record could stand in for it.
     */
    String inputKey(String parent) throws BuildException, IOException;

    /**
     * Runs the step on the stage's state (config, ARGs, a RUN's overlay stack): the entries of the layer it
     * writes, none for a step that changes only the config. The caller writes the layer and the history.
     *
     * @param id the progress step, null for a metadata instruction
     */
    List<LayerEntry> execute(StepId id) throws BuildException, IOException;

    /** Whether a later RUN needs this step's layer put on its overlay stack (not a RUN's own: it is there). */
    default boolean stacksForRun() {
        return true;
    }

    /**
     * The key of a step that had no {@link #inputKey}, after it ran: by default its instruction and the
     * diff_id of its layer ({@code layer} null when it wrote none), so later steps can still hit.
     */
    default String resultKey(String parent, LayerRecord layer) {
        return StepKeys.result(parent, instruction(), layer);
    }

    /**
     * Whether a record found under the {@link #resultKey} may stand in for this run (keeping the history time
     * of the build that made it); only for keys that cover everything the step produced.
     */
    default boolean reusesResult() {
        return false;
    }

    /**
     * Whether the step is an entry of the image's history. Only ONBUILD is not: BuildKit's frontend records the
     * trigger in the config and writes no history entry for it.
     */
    default boolean recordsHistory() {
        return true;
    }
}
