package dev.jbuild.engine.step;

import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.layer.LayerEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An instruction that changes only the image config or the ARGs in scope (ARG, ENV, LABEL, USER, CMD, ...),
 * one factory per kind. Applying one is cheap and exact, so it is keyed by its result: the whole config it
 * leads to ({@link #resultKey}), and a record under that key stands in for it only with the same history
 * entry, whose time the rebuild then keeps. The rules are Docker's (BuildKit's dockerfile2llb), noted where
 * they surprise.
 */
final class MetadataStep implements Step {

    /** What one instruction does to the stage; {@code scope} holds the variables as they were before it. */
    @FunctionalInterface
    private interface Change {
        void apply(MetadataStep step, Map<String, String> scope) throws BuildException;
    }

    private final StepContext context;
    private final Instruction instruction;
    private final Change change;

    private MetadataStep(StepContext context, Instruction instruction, Change change) {
        this.context = context;
        this.instruction = instruction;
        this.change = change;
    }

    @Override
    public Instruction instruction() {
        return instruction;
    }

    @Override
    public boolean isVertex() {
        return false;
    }

    @Override
    public String inputKey(String parent) {
        return null; // keyed by the config it leads to
    }

    @Override
    public List<LayerEntry> execute(StepId id) throws BuildException {
        change.apply(this, context.state().expansionScope());
        return List.of();
    }

    @Override
    public String resultKey(String parent, LayerRecord layer) {
        return StepKeys.common(context, parent, instruction)
                .bytes("config", ImageDocuments.canonicalBytes(context.state().config()))
                .hex();
    }

    @Override
    public boolean reusesResult() {
        return true;
    }

    @Override
    public boolean recordsHistory() {
        return !(instruction instanceof Instruction.Onbuild);
    }

    static MetadataStep arg(StepContext context, Instruction.Arg arg) {
        return new MetadataStep(context, arg, (step, scope) -> step.declareArgs(arg, scope));
    }

    static MetadataStep env(StepContext context, Instruction.Env env) {
        // Every name and value sees the variables as they were before this instruction (Docker's
        // rule). Names are expanded like values, so ENV "A"=1 and ENV ${name}=1 define A and
        // the value of name, as in BuildKit; so are stage ARG names (declareArgs).
        return new MetadataStep(context, env, (step, scope) -> {
            for (Instruction.KeyValue variable : env.variables()) {
                step.state().setEnv(step.expand(variable.key(), scope), step.expand(variable.value(), scope));
            }
        });
    }

    static MetadataStep label(StepContext context, Instruction.Label label) {
        return new MetadataStep(context, label, (step, scope) -> {
            Map<String, String> labels = new TreeMap<>(nonNull(step.state().runConfig().labels()));
            for (Instruction.KeyValue pair : label.labels()) {
                labels.put(step.expand(pair.key(), scope), step.expand(pair.value(), scope));
            }
            step.state().updateRunConfig(c -> c.withLabels(labels));
        });
    }

    static MetadataStep maintainer(StepContext context, Instruction.Maintainer maintainer) {
        return new MetadataStep(context, maintainer,
                (step, scope) -> step.state().setConfig(step.state().config().withAuthor(maintainer.maintainer())));
    }

    static MetadataStep expose(StepContext context, Instruction.Expose expose) {
        return new MetadataStep(context, expose, (step, scope) -> {
            Set<String> ports = new LinkedHashSet<>(nonNull(step.state().runConfig().exposedPorts()));
            for (String word : expose.ports()) {
                for (String spec : step.context.session().expandWords(word, scope, expose.location())) {
                    ports.addAll(PortSpecs.parse(spec));
                }
            }
            step.state().updateRunConfig(c -> c.withExposedPorts(ports));
        });
    }

    static MetadataStep volume(StepContext context, Instruction.Volume volume) {
        return new MetadataStep(context, volume, (step, scope) -> {
            Set<String> volumes = new LinkedHashSet<>(nonNull(step.state().runConfig().volumes()));
            for (String path : volume.paths()) {
                String expanded = step.expand(path, scope);
                if (expanded.isBlank()) {
                    throw new BuildException(volume.location(), "VOLUME specified can not be an empty string");
                }
                volumes.add(expanded);
            }
            step.state().updateRunConfig(c -> c.withVolumes(volumes));
        });
    }

    static MetadataStep user(StepContext context, Instruction.User user) {
        return new MetadataStep(context, user, (step, scope) -> {
            String value = step.expand(user.user(), scope);
            step.state().updateRunConfig(c -> c.withUser(value));
        });
    }

    static MetadataStep cmd(StepContext context, Instruction.Cmd cmd) {
        return new MetadataStep(context, cmd, (step, scope) -> {
            List<String> argv = step.commandLine(cmd.command());
            // BuildKit sets ArgsEscaped with every CMD (Docker's image spec reads it on Windows only).
            step.state().updateRunConfig(c -> c.withCmd(argv).withArgsEscaped(true));
            step.state().markCmdSet();
        });
    }

    static MetadataStep entrypoint(StepContext context, Instruction.Entrypoint entrypoint) {
        return new MetadataStep(context, entrypoint, (step, scope) -> {
            List<String> argv = step.commandLine(entrypoint.command());
            // An ENTRYPOINT drops a CMD inherited from the base image, but not one this stage set.
            boolean keepCmd = step.state().cmdSet();
            step.state().updateRunConfig(c -> keepCmd ? c.withEntrypoint(argv) : c.withEntrypoint(argv).withCmd(null));
        });
    }

    static MetadataStep shell(StepContext context, Instruction.Shell shell) {
        return new MetadataStep(context, shell, (step, scope) -> step.state().updateRunConfig(c -> c.withShell(shell.shell())));
    }

    static MetadataStep healthcheck(StepContext context, Instruction.Healthcheck healthcheck) {
        return new MetadataStep(context, healthcheck,
                (step, scope) -> step.state().updateRunConfig(c -> c.withHealthcheck(healthcheck(healthcheck))));
    }

    static MetadataStep stopsignal(StepContext context, Instruction.Stopsignal stopsignal) {
        return new MetadataStep(context, stopsignal, (step, scope) -> {
            String signal = step.expand(stopsignal.signal(), scope);
            step.state().updateRunConfig(c -> c.withStopSignal(Signals.validate(signal)));
        });
    }

    static MetadataStep onbuild(StepContext context, Instruction.Onbuild onbuild) {
        return new MetadataStep(context, onbuild, (step, scope) -> {
            List<String> triggers = new ArrayList<>(nonNull(step.state().runConfig().onBuild()));
            triggers.add(onbuild.expression());
            step.state().updateRunConfig(c -> c.withOnBuild(triggers));
        });
    }

    private ImageState state() {
        return context.state();
    }

    private String expand(String word, Map<String, String> scope) throws BuildException {
        return context.session().expand(word, scope, instruction.location());
    }

    private void declareArgs(Instruction.Arg arg, Map<String, String> scope) throws BuildException {
        BuildRequest request = context.session().request();
        Map<String, String> buildArgs = request.plan().buildArgs();
        for (Instruction.ArgDeclaration declaration : arg.declarations()) {
            // The name is expanded like the value (ARG ${src}=1), as the planner does.
            String name = expand(declaration.name(), scope);
            String value = buildArgs.get(name);
            if (value == null && declaration.defaultValue() != null) {
                value = expand(declaration.defaultValue(), scope);
            }
            if (value == null) {
                value = request.plan().globalArgs().get(name);
            }
            if (value == null) {
                value = request.plan().builtinArgs().get(name);
            }
            if (value != null) {
                state().declareArg(name, value);
                scope.put(name, value);
            }
        }
    }

    private List<String> commandLine(Instruction.Command command) {
        if (command instanceof Instruction.Command.Exec exec) {
            return exec.argv();
        }
        List<String> shell = state().runConfig().shell();
        List<String> argv = new ArrayList<>(shell == null || shell.isEmpty() ? List.of("/bin/sh", "-c") : shell);
        argv.add(((Instruction.Command.Shell) command).script());
        return argv;
    }

    private static ImageConfig.Healthcheck healthcheck(Instruction.Healthcheck check) {
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

    private static <T> Set<T> nonNull(Set<T> set) {
        return set == null ? Set.of() : set;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
        return map == null ? new LinkedHashMap<>() : map;
    }
}
