package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The build checks that need only the parsed file: instruction and stage-name casing, stage names,
 * MAINTAINER, and those of BuildKit's per-stage rules that the instructions alone decide (shell-form
 * CMD/ENTRYPOINT, a repeated CMD/ENTRYPOINT/HEALTHCHECK, legacy ENV/LABEL, a relative first WORKDIR,
 * EXPOSE's protocol and format). The rules that need values of ARGs are the planner's; those that need
 * the base image or the context the engine's. Every finding is made here unfiltered:
 * {@link CheckConfig} decides what is reported.
 */
final class SyntaxChecks {

    private static final Set<String> RESERVED_STAGE_NAMES = Set.of("context", "scratch");

    private final List<Finding> findings = new ArrayList<>();

    private SyntaxChecks() {}

    static List<Finding> run(List<Node> nodes, List<Instruction> instructions, Map<Integer, String> lastComments) {
        SyntaxChecks checks = new SyntaxChecks();
        checks.fileRules(instructions);
        checks.stageRules(instructions);
        checks.descriptions(instructions, lastComments);
        return checks.findings;
    }

    /**
     * InvalidDefinitionDescription (experimental): the comment right before a named stage or an ARG is its
     * description, so its first word must be the stage's name (lower case, as BuildKit keeps it) or one of
     * the ARG's keys. An empty {@code #} line between them means "not a description".
     */
    private void descriptions(List<Instruction> instructions, Map<Integer, String> lastComments) {
        for (Instruction instruction : instructions) {
            String comment = lastComments.get(instruction.location().startLine());
            if (comment == null) {
                continue;
            }
            List<String> keys;
            String keyword;
            if (instruction instanceof Instruction.From from && from.stageName() != null) {
                keys = List.of(from.stageName().toLowerCase(Locale.ROOT));
                keyword = "FROM";
            } else if (instruction instanceof Instruction.Arg arg && !arg.declarations().isEmpty()) {
                keys = arg.declarations().stream().map(Instruction.ArgDeclaration::name).toList();
                keyword = "ARG";
            } else {
                continue;
            }
            String first = comment.split(" ", -1)[0];
            if (!keys.contains(first)) {
                add(CheckRule.INVALID_DEFINITION_DESCRIPTION, instruction,
                        CheckRule.invalidDefinitionDescription(keyword, keys.size() > 1 ? "<arg_key>" : keys.get(0)));
            }
        }
    }

    private void add(CheckRule rule, Instruction at, String message) {
        findings.add(rule.at(at.location(), message));
    }

    /** The keyword as written ({@code From}); nodes keep it in lower case. */
    static String writtenKeyword(Node node) {
        String text = node.original().strip();
        int end = 0;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        return text.substring(0, end);
    }

    private void fileRules(List<Instruction> instructions) {
        int lower = 0;
        int upper = 0;
        boolean inStage = false;
        List<Instruction> staged = new ArrayList<>();
        Set<String> stageNames = new HashSet<>();
        for (Instruction instruction : instructions) {
            Node node = instruction.node();
            String keyword = writtenKeyword(node);
            if (instruction instanceof Instruction.Maintainer) {
                add(CheckRule.MAINTAINER_DEPRECATED, instruction, CheckRule.maintainerDeprecated());
            }
            if (instruction instanceof Instruction.From from) {
                inStage = true;
                List<String> args = node.args();
                if (args.size() == 3 && !args.get(2).equals(args.get(2).toLowerCase(Locale.ROOT))) {
                    add(CheckRule.STAGE_NAME_CASING, from, CheckRule.stageNameCasing(args.get(2)));
                }
                if (args.size() >= 3 && !fromMatchesAs(keyword, args.get(1))) {
                    add(CheckRule.FROM_AS_CASING, from, CheckRule.fromAsCasing(keyword, args.get(1)));
                }
                if (from.stageName() != null) {
                    String name = from.stageName().toLowerCase(Locale.ROOT);
                    if (RESERVED_STAGE_NAMES.contains(name)) {
                        add(CheckRule.RESERVED_STAGE_NAME, from, CheckRule.reservedStageName(name));
                    }
                    if (!stageNames.add(name)) {
                        add(CheckRule.DUPLICATE_STAGE_NAME, from, CheckRule.duplicateStageName(name));
                    }
                }
            }
            // The ARGs before the first FROM are not part of any stage, and BuildKit counts only stages.
            if (inStage) {
                staged.add(instruction);
                if (selfConsistent(keyword)) {
                    if (keyword.equals(keyword.toLowerCase(Locale.ROOT))) {
                        lower++;
                    } else {
                        upper++;
                    }
                }
            }
        }
        boolean majorityLower = lower > upper;
        for (Instruction instruction : staged) {
            String keyword = writtenKeyword(instruction.node());
            String casing = null;
            if (majorityLower && !keyword.equals(keyword.toLowerCase(Locale.ROOT))) {
                casing = "lowercase";
            } else if (!majorityLower && !keyword.equals(keyword.toUpperCase(Locale.ROOT))) {
                casing = "uppercase";
            }
            if (casing != null) {
                add(CheckRule.CONSISTENT_INSTRUCTION_CASING, instruction, CheckRule.consistentInstructionCasing(keyword, casing));
            }
        }
    }

    private static boolean selfConsistent(String s) {
        return s.equals(s.toLowerCase(Locale.ROOT)) || s.equals(s.toUpperCase(Locale.ROOT));
    }

    /** A {@code From} keyword is ConsistentInstructionCasing's business, not this rule's. */
    private static boolean fromMatchesAs(String from, String as) {
        if (!selfConsistent(from)) {
            return true;
        }
        return from.equals(from.toLowerCase(Locale.ROOT))
                ? as.equals(as.toLowerCase(Locale.ROOT))
                : as.equals(as.toUpperCase(Locale.ROOT));
    }

    /** What a stage passes to the stages built on it: BuildKit's image shell and {@code workdirSet}. */
    private record Inherited(boolean shellSet, boolean workdirSet) {}

    private void stageRules(List<Instruction> instructions) {
        Map<String, Inherited> byName = new HashMap<>();
        boolean shellSet = false;
        boolean workdirSet = false;
        String stageName = null;
        Map<String, Instruction> once = new HashMap<>();
        for (Instruction instruction : instructions) {
            if (instruction instanceof Instruction.From from) {
                if (stageName != null) {
                    byName.put(stageName, new Inherited(shellSet, workdirSet));
                }
                Inherited base = byName.getOrDefault(from.image().toLowerCase(Locale.ROOT), new Inherited(false, false));
                shellSet = base.shellSet();
                workdirSet = base.workdirSet();
                stageName = from.stageName() == null ? null : from.stageName().toLowerCase(Locale.ROOT);
                once.clear();
            } else if (instruction instanceof Instruction.Shell) {
                shellSet = true;
            } else if (instruction instanceof Instruction.Cmd cmd) {
                usedOnce(once, cmd);
                shellForm(cmd, cmd.command(), shellSet);
            } else if (instruction instanceof Instruction.Entrypoint entrypoint) {
                usedOnce(once, entrypoint);
                shellForm(entrypoint, entrypoint.command(), shellSet);
            } else if (instruction instanceof Instruction.Healthcheck) {
                usedOnce(once, instruction);
            } else if (instruction instanceof Instruction.Env || instruction instanceof Instruction.Label) {
                legacyKeyValues(instruction);
            } else if (instruction instanceof Instruction.Workdir workdir) {
                String path = unquoted(workdir.path());
                // A variable's value is the planner's to know; only a literal path is judged here, its quotes
                // removed as the build removes them (WORKDIR "/app" is absolute).
                if (!workdirSet && !path.startsWith("/") && !path.contains("$")) {
                    add(CheckRule.WORKDIR_RELATIVE_PATH, workdir, CheckRule.workdirRelativePath(path));
                }
                workdirSet = true;
            } else if (instruction instanceof Instruction.Expose expose) {
                for (String port : expose.ports()) {
                    if (!port.contains("$")) {
                        exposeRules(expose, port);
                    }
                }
            }
        }
    }

    /** JSONArgsRecommended: shell form while the image has no SHELL of its own (BuildKit's condition). */
    private void shellForm(Instruction instruction, Instruction.Command command, boolean shellSet) {
        if (command instanceof Instruction.Command.Shell && !shellSet) {
            add(CheckRule.JSON_ARGS_RECOMMENDED, instruction, CheckRule.jsonArgsRecommended(writtenKeyword(instruction.node())));
        }
    }

    /** MultipleInstructionsDisallowed names the earlier one: the one that has no effect. */
    private void usedOnce(Map<String, Instruction> once, Instruction instruction) {
        String kind = instruction.node().keyword();
        Instruction earlier = once.put(kind, instruction);
        if (earlier != null) {
            add(CheckRule.MULTIPLE_INSTRUCTIONS_DISALLOWED, earlier,
                    CheckRule.multipleInstructionsDisallowed(writtenKeyword(instruction.node())));
        }
    }

    /** ENV and LABEL arguments are key, value, separator triples; an empty separator is {@code KEY value}. */
    private void legacyKeyValues(Instruction instruction) {
        List<String> args = instruction.node().args();
        for (int i = 2; i < args.size(); i += 3) {
            if (args.get(i).isEmpty()) {
                add(CheckRule.LEGACY_KEY_VALUE_FORMAT, instruction, CheckRule.legacyKeyValueFormat(writtenKeyword(instruction.node())));
            }
        }
    }

    /** BuildKit's port grammar {@code [[ip:]host:]container[/proto]}, as far as the two rules need it. */
    private void exposeRules(Instruction expose, String raw) {
        String[] parts = raw.split(":", -1);
        String ip = parts.length >= 3 ? String.join(":", java.util.Arrays.copyOf(parts, parts.length - 2)) : "";
        String hostPort = parts.length >= 2 ? parts[parts.length - 2] : "";
        String container = parts[parts.length - 1];
        int slash = container.indexOf('/');
        String proto = slash < 0 ? "tcp" : container.substring(slash + 1);
        if (!proto.equals(proto.toLowerCase(Locale.ROOT))) {
            add(CheckRule.EXPOSE_PROTO_CASING, expose, CheckRule.exposeProtoCasing(raw));
        }
        if (!ip.isEmpty() || !hostPort.isEmpty()) {
            add(CheckRule.EXPOSE_INVALID_FORMAT, expose, CheckRule.exposeInvalidFormat(raw));
        }
    }

    /** A word without the one pair of quotes around it, when it is quoted whole ({@code "/app"}, {@code '/app'}). */
    private static String unquoted(String word) {
        if (word.length() >= 2 && (word.charAt(0) == '"' || word.charAt(0) == '\'') && word.charAt(word.length() - 1) == word.charAt(0)) {
            return word.substring(1, word.length() - 1);
        }
        return word;
    }
}
