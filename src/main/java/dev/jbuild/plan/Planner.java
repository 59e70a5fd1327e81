package dev.jbuild.plan;

import dev.jbuild.dockerfile.Caret;
import dev.jbuild.dockerfile.CheckConfig;
import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.InvalidMountException;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.MountFlag;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.dockerfile.ShellWords;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * Turns a parsed Dockerfile into the stages a build needs: resolves the global ARGs and the FROM
 * lines that use them, finds each stage's dependencies, keeps only what {@code --target} needs,
 * and rejects cycles. Pure computation: no I/O.
 */
public final class Planner {

    private Planner() {}

    public static BuildPlan plan(Dockerfile dockerfile, PlanOptions options) throws PlanException {
        return new PlanBuilder(dockerfile, options, false).build();
    }

    /**
     * The plan {@code --check} looks at: as {@link #plan}, but without {@code --target} the findings
     * of the rules BuildKit runs per stage cover every stage, not only those the build would run
     * (BuildKit's lint sets AllStages when no target is given).
     */
    public static BuildPlan check(Dockerfile dockerfile, PlanOptions options) throws PlanException {
        boolean all = options.target() == null || options.target().isEmpty();
        return new PlanBuilder(dockerfile, options, all).build();
    }

    /** One planning run; holds the state that the steps share. */
    private static final class PlanBuilder {
        private final Dockerfile dockerfile;
        private final PlanOptions options;
        private final ShellWords words;
        private final Map<String, String> builtinArgs;
        /** Names of ARGs declared anywhere the build reaches: the build args they consume are used. */
        private final Set<String> declaredArgs = new LinkedHashSet<>();
        /** ARG and ENV names that look like secrets, per stage index, found while resolving the stage. */
        private final Map<Integer, List<Definition>> definitions = new HashMap<>();
        /** Whether the per-stage rules' findings cover every stage ({@code --check} without a target). */
        private final boolean allStages;
        /** The global ARGs declared, with or without a value, and their values from defaults only. */
        private final Set<String> metaArgNames = new LinkedHashSet<>();
        private final Map<String, String> defaultGlobalScope = new HashMap<>();
        private final List<Finding> findings = new ArrayList<>();
        /** Every stage's name (lower case) and index, the later stages too: a --from naming one is an error. */
        private final Map<String, Integer> allStageNames = new HashMap<>();

        /** An ARG or ENV name as the build will define it, for the secrets check. */
        private record Definition(String instruction, String name, Location location) {}

        PlanBuilder(Dockerfile dockerfile, PlanOptions options, boolean allStages) {
            this.dockerfile = dockerfile;
            this.allStages = allStages;
            this.options = options;
            this.words = new ShellWords(dockerfile.escape());
            this.builtinArgs = BuiltinArgs.of(options.targetPlatform(), options.buildPlatform());
        }

        BuildPlan build() throws PlanException {
            List<Instruction> all = dockerfile.instructions();
            int firstFrom = 0;
            while (firstFrom < all.size() && all.get(firstFrom) instanceof Instruction.Arg) {
                firstFrom++;
            }
            if (firstFrom == all.size()) {
                throw new PlanException(
                        all.isEmpty() ? null : all.get(all.size() - 1).location(), "no build stage in the Dockerfile: FROM is missing");
            }
            if (!(all.get(firstFrom) instanceof Instruction.From)) {
                throw new PlanException(all.get(firstFrom).location(),
                        "no build stage in current context: " + keyword(all.get(firstFrom)) + " must come after a FROM",
                        all.get(firstFrom).node().positions().keyword());
            }

            CheckConfig checks;
            try {
                checks = CheckConfig.of(dockerfile, options.buildArgs());
            } catch (IllegalArgumentException e) {
                throw new PlanException(null, e.getMessage());
            }
            Map<String, String> globalArgs = resolveGlobalArgs(all.subList(0, firstFrom));
            Map<String, String> globalScope = new HashMap<>(builtinArgs);
            globalScope.putAll(globalArgs);
            FromChecks fromChecks = new FromChecks(words, globalScope, defaultGlobalScope, metaArgNames);
            try {
                return build(all, firstFrom, checks, globalArgs, globalScope, fromChecks);
            } catch (PlanException e) {
                List<Finding> found = new ArrayList<>(filteredSyntaxFindings(null, null));
                found.addAll(findings);
                found.sort(Comparator.comparingInt(Finding::line));
                throw e.withFindings(checks.filter(found, dockerfile.checkComments()));
            }
        }

        private BuildPlan build(List<Instruction> all, int firstFrom, CheckConfig checks, Map<String, String> globalArgs,
                Map<String, String> globalScope, FromChecks fromChecks) throws PlanException {
            List<StageDraft> drafts = splitStages(all.subList(firstFrom, all.size()));
            for (StageDraft draft : drafts) {
                if (draft.from().stageName() != null) {
                    allStageNames.put(draft.from().stageName().toLowerCase(Locale.ROOT), draft.index());
                }
            }
            List<Stage> stages = new ArrayList<>();
            Map<String, Integer> stageIndexByName = new HashMap<>();
            for (StageDraft draft : drafts) {
                fromChecks.check(draft.from(), findings);
                Stage stage = resolveStage(draft, stages, stageIndexByName, globalScope, globalArgs);
                stages.add(stage);
                if (stage.name() != null) {
                    stageIndexByName.put(stage.name(), stage.index());
                }
            }

            int target = targetIndex(stages, stageIndexByName);
            List<Stage> needed = reachable(stages, target);
            for (Stage stage : needed) {
                for (Definition definition : definitions.getOrDefault(stage.index(), List.of())) {
                    if (definition.instruction().equals("ARG")) {
                        declaredArgs.add(definition.name()); // as expanded
                    }
                }
            }
            List<String> warnings = new ArrayList<>(unusedBuildArgWarnings());
            syntaxWarning().ifPresent(warnings::add);
            List<Stage> checked = allStages ? stages : needed;
            secretFindings(checked);
            if (checks.reports(CheckRule.SECRETS_USED_IN_ARG_OR_ENV)) {
                secretBuildArgWarnings(warnings);
            }
            List<Finding> found = new ArrayList<>(filteredSyntaxFindings(checked, drafts));
            found.addAll(findings);
            found.sort(Comparator.comparingInt(Finding::line));
            return new BuildPlan(needed, target, globalArgs, builtinArgs, options.buildArgs(), warnings,
                    checks.filter(found, dockerfile.checkComments()), checks);
        }

        private Map<String, String> resolveGlobalArgs(List<Instruction> metaArgs) throws PlanException {
            Map<String, String> scope = new HashMap<>(builtinArgs);
            Map<String, String> resolved = new HashMap<>();
            defaultGlobalScope.putAll(builtinArgs);
            for (Instruction instruction : metaArgs) {
                List<Instruction.ArgDeclaration> declarations = ((Instruction.Arg) instruction).declarations();
                for (int i = 0; i < declarations.size(); i++) {
                    Instruction.ArgDeclaration declaration = declarations.get(i);
                    declaredArgs.add(declaration.name());
                    metaArgNames.add(declaration.name());
                    if (declaration.defaultValue() != null) {
                        // InvalidDefaultArgInFrom looks at the defaults alone; a bad word is the build's error.
                        try {
                            defaultGlobalScope.put(declaration.name(), words.expand(declaration.defaultValue(), defaultGlobalScope));
                        } catch (ShellExpansionException e) {
                            // reported below, where the value the build uses is expanded
                        }
                    }
                    String value = options.buildArgs().get(declaration.name());
                    if (value == null && declaration.defaultValue() != null) {
                        value = expand(declaration.defaultValue(), scope, instruction.location(),
                                inDefault(instruction, i, declaration));
                    }
                    if (value != null) {
                        scope.put(declaration.name(), value);
                        resolved.put(declaration.name(), value);
                    }
                }
            }
            return resolved;
        }

        private record StageDraft(int index, Instruction.From from, List<Instruction> body) {}

        private static List<StageDraft> splitStages(List<Instruction> instructions) {
            List<StageDraft> drafts = new ArrayList<>();
            Instruction.From from = null;
            List<Instruction> body = new ArrayList<>();
            for (Instruction instruction : instructions) {
                if (instruction instanceof Instruction.From next) {
                    if (from != null) {
                        drafts.add(new StageDraft(drafts.size(), from, body));
                    }
                    from = next;
                    body = new ArrayList<>();
                } else {
                    body.add(instruction);
                }
            }
            drafts.add(new StageDraft(drafts.size(), from, body));
            return drafts;
        }

        private Stage resolveStage(
                StageDraft draft,
                List<Stage> earlier,
                Map<String, Integer> stageIndexByName,
                Map<String, String> globalScope,
                Map<String, String> globalArgs) throws PlanException {
            Instruction.From from = draft.from();
            String name = from.stageName() == null ? null : from.stageName().toLowerCase(Locale.ROOT);
            // A repeated name is DuplicateStageName's warning; the later stage takes the name, as in BuildKit.
            String reference = expand(from.image(), globalScope, from.location(), inArg(from, 0, 0));
            if (reference.isBlank()) {
                throw new PlanException(from.location(), "base name (" + from.image() + ") should not be blank",
                        from.node().positions().arg(0));
            }
            String platform = from.platform() == null ? null
                    : expand(from.platform(), globalScope, from.location(), inFlag(from, "platform", 0));
            if (platform != null && platform.isBlank()) {
                platform = null;
            }

            Set<Integer> dependsOn = new TreeSet<>();
            BaseImage base = resolveBase(reference, stageIndexByName);
            if (base instanceof BaseImage.StageResult stageResult) {
                dependsOn.add(stageResult.stageIndex());
            }
            // `--from` may use the stage's ARGs; approximate the scope with what is known before the
            // base image is read (build args, defaults, literal ENVs). The build re-expands with the full env.
            Map<String, String> stageScope = new HashMap<>(builtinArgs);
            List<Definition> defined = new ArrayList<>();
            definitions.put(draft.index(), defined);
            for (Instruction instruction : draft.body()) {
                if (instruction instanceof Instruction.Arg arg) {
                    for (String argName : declareStageArgs(arg, stageScope, globalArgs)) {
                        defined.add(new Definition("ARG", argName, arg.location()));
                    }
                } else if (instruction instanceof Instruction.Env env) {
                    // Names and values all see the variables as they were before this ENV.
                    Map<String, String> before = new HashMap<>(stageScope);
                    for (int i = 0; i < env.variables().size(); i++) {
                        Instruction.KeyValue variable = env.variables().get(i);
                        // ENV's arguments are key, value, separator triples
                        String key = expandLenient(variable.key(), before, env.location(), inArg(env, 3 * i, 0));
                        stageScope.put(key, expandLenient(variable.value(), before, env.location(), inArg(env, 3 * i + 1, 0)));
                        defined.add(new Definition("ENV", key, env.location()));
                    }
                } else if (instruction instanceof Instruction.Copy copy && copy.from() != null) {
                    addSourceStage(expand(copy.from(), stageScope, copy.location(), inFlag(copy, "from", 0)), draft.index(),
                            stageIndexByName, dependsOn, copy.location(), copy.node().positions().flag("from", 0), null);
                } else if (instruction instanceof Instruction.Run run) {
                    // Any type's from= (BuildKit's detectRunMount), as written: it may not hold variables.
                    for (int k = 0; k < run.mounts().size(); k++) {
                        String mountFrom = run.mounts().get(k).from();
                        if (mountFrom != null) {
                            addSourceStage(mountFrom, draft.index(), stageIndexByName, dependsOn, run.location(),
                                    run.node().positions().flag("mount", k), writtenTarget(run.mounts().get(k)));
                        }
                    }
                }
            }
            return new Stage(draft.index(), name, from, base, platform, draft.body(), dependsOn);
        }

        private BaseImage resolveBase(String reference, Map<String, Integer> stageIndexByName) {
            // A named context replaces a stage or image of the same name, as with BuildKit's --build-context.
            if (options.namedContexts().contains(reference)) {
                return new BaseImage.NamedContext(reference);
            }
            if (reference.equalsIgnoreCase("scratch")) {
                return new BaseImage.Scratch();
            }
            Integer stage = stageIndexByName.get(reference.toLowerCase(Locale.ROOT));
            return stage != null ? new BaseImage.StageResult(stage) : new BaseImage.Image(reference);
        }

        /**
         * Declares a stage's ARGs in {@code scope} and returns their names. A stage ARG's name is
         * expanded like its value ({@code ARG ${src}=1}), as BuildKit's frontend up to Dockerfile 1.7
         * (BuildKit 0.11, buildah) does; global ARG names are taken as written, as everywhere.
         */
        private List<String> declareStageArgs(Instruction.Arg arg, Map<String, String> scope, Map<String, String> globalArgs)
                throws PlanException {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < arg.declarations().size(); i++) {
                Instruction.ArgDeclaration declaration = arg.declarations().get(i);
                String name = expandLenient(declaration.name(), scope, arg.location(), inArg(arg, i, 0));
                names.add(name);
                String value = options.buildArgs().get(name);
                if (value == null && declaration.defaultValue() != null) {
                    value = expandLenient(declaration.defaultValue(), scope, arg.location(), inDefault(arg, i, declaration));
                }
                if (value == null) {
                    value = globalArgs.get(name);
                }
                if (value != null) {
                    scope.put(name, value);
                }
            }
            return names;
        }

        /**
         * Records a {@code --from} dependency. A number names a stage by index, a stage name names
         * that stage; anything else is a named context or an image, which no stage has to build. A
         * later stage's name is BuildKit's error, not an image of that name.
         *
         * @param mountTarget the target of the {@code RUN --mount} that names it, null for COPY
         */
        private void addSourceStage(
                String source, int self, Map<String, Integer> stageIndexByName,
                Set<Integer> dependsOn, Location location, Caret flag, String mountTarget) throws PlanException {
            if (options.namedContexts().contains(source)) {
                return;
            }
            Integer index = null;
            if (source.chars().allMatch(Character::isDigit) && !source.isEmpty()) {
                index = Integer.parseInt(source);
                if (index >= self) {
                    throw new PlanException(location, index == self
                            ? "circular dependency detected on stage: " + self
                            : "invalid stage index " + source + ": only earlier stages can be referenced", flag);
                }
            } else {
                String name = source.toLowerCase(Locale.ROOT);
                index = stageIndexByName.get(name);
                if (index == null && name.equals(currentName(self))) {
                    throw new PlanException(location, "circular dependency detected on stage: " + name, flag);
                }
                Integer later = allStageNames.get(name);
                if (index == null && later != null && later > self) {
                    throw new PlanException(location, mountTarget == null
                            ? "cannot copy from stage \"" + source + "\", it needs to be defined before current stage \""
                                    + (currentName(self) == null ? "stage-" + self : currentName(self)) + "\""
                            : "cannot mount from stage \"" + source + "\" to \"" + mountTarget
                                    + "\", stage needs to be defined before current command", flag);
                }
            }
            if (index != null) {
                dependsOn.add(index);
            }
        }

        /** A mount's target as written (variables not expanded), for a message; the flag itself when it has none. */
        private static String writtenTarget(MountFlag mount) {
            try {
                return mount.expand(word -> word).target();
            } catch (InvalidMountException | ShellExpansionException e) {
                return mount.value();
            }
        }

        private String currentName(int self) {
            int seen = -1;
            for (Instruction instruction : dockerfile.instructions()) {
                if (instruction instanceof Instruction.From from && ++seen == self) {
                    return from.stageName() == null ? null : from.stageName().toLowerCase(Locale.ROOT);
                }
            }
            return null;
        }

        private int targetIndex(List<Stage> stages, Map<String, Integer> stageIndexByName) throws PlanException {
            if (options.target() == null || options.target().isEmpty()) {
                return stages.get(stages.size() - 1).index();
            }
            Integer index = stageIndexByName.get(options.target().toLowerCase(Locale.ROOT));
            if (index == null) {
                throw new PlanException(null, "target stage \"" + options.target() + "\" could not be found");
            }
            return index;
        }

        /** The target and everything it needs, in Dockerfile order. Dependencies only point backwards, so no cycle can form. */
        private static List<Stage> reachable(List<Stage> stages, int target) {
            boolean[] needed = new boolean[stages.size()];
            needed[target] = true;
            for (int i = target; i >= 0; i--) {
                if (needed[i]) {
                    for (int dependency : stages.get(i).dependsOn()) {
                        needed[dependency] = true;
                    }
                }
            }
            List<Stage> result = new ArrayList<>();
            for (int i = 0; i <= target; i++) {
                if (needed[i]) {
                    result.add(stages.get(i));
                }
            }
            return result;
        }

        /**
         * A {@code # syntax=} directive naming another frontend than Docker's: BuildKit would run that image to read
         * the Dockerfile, jbuild reads it with its own frontend, so the user hears that the directive is not followed.
         */
        private Optional<String> syntaxWarning() {
            String syntax = dockerfile.directives().get("syntax");
            if (syntax == null || syntax.isBlank()) {
                return Optional.empty();
            }
            String image = syntax.strip().split("[:@]", 2)[0].toLowerCase(Locale.ROOT);
            image = image.startsWith("docker.io/") ? image.substring("docker.io/".length()) : image;
            if (image.equals("docker/dockerfile") || image.equals("docker/dockerfile-upstream")) {
                return Optional.empty();
            }
            return Optional.of("# syntax=" + syntax.strip() + " is not followed: jbuild reads the Dockerfile with"
                    + " its own frontend (BuildKit's docker/dockerfile syntax), not with that image");
        }

        private List<String> unusedBuildArgWarnings() {
            Set<String> unused = new TreeSet<>(options.buildArgs().keySet());
            unused.removeAll(declaredArgs);
            unused.removeIf(BuiltinArgs::isAlwaysAllowed);
            return unused.isEmpty()
                    ? List.of()
                    : List.of("one or more build args were not consumed: " + String.join(", ", unused));
        }

        /** @param at the caret for an offset in {@code word}, where an expansion error is shown */
        private String expand(String word, Map<String, String> scope, Location location, IntFunction<Caret> at)
                throws PlanException {
            try {
                return words.expand(word, scope);
            } catch (ShellExpansionException e) {
                throw new PlanException(location, e.getMessage(), at.apply(e.offset()));
            }
        }

        /** Offsets in argument {@code index} of {@code instruction}, which starts {@code skip} characters before the word expanded. */
        private static IntFunction<Caret> inArg(Instruction instruction, int index, int skip) {
            return offset -> instruction.node().positions().inArg(index, offset < 0 ? 0 : skip + offset);
        }

        /** Offsets in the default of ARG's declaration {@code index}: its word is {@code name=default}. */
        private static IntFunction<Caret> inDefault(Instruction instruction, int index, Instruction.ArgDeclaration declaration) {
            return inArg(instruction, index, declaration.name().length() + 1);
        }

        /** Offsets in the value of the first {@code --name} of {@code instruction}. */
        private static IntFunction<Caret> inFlag(Instruction instruction, String name, int occurrence) {
            return offset -> instruction.node().positions().inFlagValue(name, occurrence, offset);
        }

        /**
         * For words the build will expand again with the full environment: a failure here is not
         * final, unless the word breaks a limit that no environment can fix (nesting too deep).
         */
        private String expandLenient(String word, Map<String, String> scope, Location location, IntFunction<Caret> at)
                throws PlanException {
            try {
                return words.expand(word, scope);
            } catch (ShellExpansionException e) {
                if (e.limitExceeded()) {
                    throw new PlanException(location, e.getMessage(), at.apply(e.offset()));
                }
                return word;
            }
        }

        /**
         * SecretsUsedInArgOrEnv for the stages checked (as BuildKit, which checks what it dispatches:
         * not the global ARGs), each ARG and ENV name where it is defined.
         */
        private void secretFindings(List<Stage> checked) {
            for (Stage stage : checked) {
                for (Definition d : definitions.getOrDefault(stage.index(), List.of())) {
                    Finding finding = SecretArgs.defined(d.instruction(), d.name(), d.location());
                    if (finding != null) {
                        findings.add(finding);
                    }
                }
            }
        }

        /** The {@code --build-arg} names that look secret and that no ARG or ENV of the build defines. */
        private void secretBuildArgWarnings(List<String> warnings) {
            Set<String> defined = new HashSet<>();
            definitions.values().forEach(list -> list.forEach(d -> defined.add(d.name())));
            options.buildArgs().keySet().stream().sorted().filter(name -> !defined.contains(name)).map(SecretArgs::buildArg)
                    .filter(w -> w != null).forEach(warnings::add);
        }

        /**
         * The parser's findings for {@code checked} stages: the per-stage rules' only within them. With
         * no stages known (planning failed), only the whole-file rules'.
         */
        private List<Finding> filteredSyntaxFindings(List<Stage> checked, List<StageDraft> drafts) {
            List<Finding> found = new ArrayList<>();
            for (Finding finding : dockerfile.findings()) {
                if (!finding.rule().dispatched() || (checked != null && inStages(finding, checked, drafts))) {
                    found.add(finding);
                }
            }
            return found;
        }

        /** Whether {@code finding} is in one of {@code stages}: between its FROM and the next. */
        private static boolean inStages(Finding finding, List<Stage> stages, List<StageDraft> drafts) {
            for (Stage stage : stages) {
                int start = stage.from().location().startLine();
                int next = stage.index() + 1 < drafts.size()
                        ? drafts.get(stage.index() + 1).from().location().startLine()
                        : Integer.MAX_VALUE;
                if (finding.line() >= start && finding.line() < next) {
                    return true;
                }
            }
            return false;
        }

        private static String keyword(Instruction instruction) {
            return instruction.node().keyword().toUpperCase(Locale.ROOT);
        }
    }
}
