package dev.jbuild.dockerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gives a {@link Node} its meaning: checks argument counts and forms, parses the instruction's
 * flags, and builds the typed {@link Instruction}, following BuildKit's {@code instructions}
 * package. Nothing is expanded; values stay as written.
 */
final class InstructionConverter {

    /** Instruction keywords, in the order suggestions are tried. */
    static final List<String> KEYWORDS = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE",
            "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER",
            "VOLUME", "WORKDIR");

    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9\\-_.]*");
    private static final Set<String> NETWORKS = Set.of("default", "none", "host");
    private static final Set<String> SECURITY_MODES = Set.of("sandbox", "insecure");
    private static final Duration MINIMUM_INTERVAL = Duration.ofMillis(1);

    Instruction convert(Node node) throws SyntaxProblem {
        BuilderFlags flags = new BuilderFlags(node.flags(), node.positions());
        List<String> args = node.args();
        return switch (node.keyword()) {
            case "add" -> add(node, flags, args);
            case "arg" -> arg(node, args);
            case "cmd" -> new Instruction.Cmd(node, flaglessCommand(node, flags));
            case "copy" -> copy(node, flags, args);
            case "entrypoint" -> new Instruction.Entrypoint(node, flaglessCommand(node, flags));
            case "env" -> new Instruction.Env(node, keyValues(node, "ENV", flags));
            case "expose" -> new Instruction.Expose(node, atLeastOne(args, "EXPOSE", flags));
            case "from" -> from(node, flags, args);
            case "healthcheck" -> healthcheck(node, flags, args);
            case "label" -> new Instruction.Label(node, keyValues(node, "LABEL", flags));
            case "maintainer" -> new Instruction.Maintainer(node, exactlyOne(args, "MAINTAINER", flags));
            case "onbuild" -> onbuild(node, flags);
            case "run" -> run(node, flags);
            case "shell" -> shell(node, flags, args);
            // BuildKit does not look at STOPSIGNAL's flags at all
            case "stopsignal" -> new Instruction.Stopsignal(node, exactlyOne(args, "STOPSIGNAL", null));
            case "user" -> new Instruction.User(node, exactlyOne(args, "USER", flags));
            case "volume" -> volume(node, flags, args);
            case "workdir" -> new Instruction.Workdir(node, exactlyOne(args, "WORKDIR", flags));
            default -> throw unknownInstruction(node);
        };
    }

    private static SyntaxProblem unknownInstruction(Node node) {
        List<String> words = GoText.splitTokenBlanks(GoText.trimSpace(node.original()), 2);
        String written = words.get(0);
        return new SyntaxProblem(Suggestions.withSuggestion("unknown instruction: " + written, written, KEYWORDS, false),
                node.positions().keywordOffset());
    }

    /** CMD and ENTRYPOINT take no flags; an empty shell form is an empty script, as in BuildKit. */
    private static Instruction.Command flaglessCommand(Node node, BuilderFlags flags) throws SyntaxProblem {
        flags.parse();
        return command(node.args(), node.json());
    }

    private static Instruction.Command command(List<String> args, boolean json) {
        if (json) {
            return new Instruction.Command.Exec(args);
        }
        return new Instruction.Command.Shell(String.join(" ", args));
    }

    private static String exactlyOne(List<String> args, String instruction, BuilderFlags flags) throws SyntaxProblem {
        if (args.size() != 1) {
            throw new SyntaxProblem(instruction + " requires exactly one argument");
        }
        if (flags != null) {
            flags.parse();
        }
        return args.get(0);
    }

    private static List<String> atLeastOne(List<String> args, String instruction, BuilderFlags flags) throws SyntaxProblem {
        if (args.isEmpty()) {
            throw new SyntaxProblem(instruction + " requires at least one argument");
        }
        flags.parse();
        return args;
    }

    private static List<Instruction.KeyValue> keyValues(Node node, String instruction, BuilderFlags flags)
            throws SyntaxProblem {
        List<String> args = node.args();
        flags.parse();
        if (args.isEmpty()) {
            throw new SyntaxProblem(instruction + " requires at least one argument");
        }
        if (args.size() % 3 != 0) {
            throw new SyntaxProblem("bad input to " + instruction + ", too many arguments");
        }
        List<Instruction.KeyValue> pairs = new ArrayList<>();
        for (int i = 0; i < args.size(); i += 3) {
            if (args.get(i).isEmpty()) {
                throw new SyntaxProblem(instruction + " names can not be blank", node.positions().argOffset(i));
            }
            pairs.add(new Instruction.KeyValue(args.get(i), args.get(i + 1)));
        }
        return pairs;
    }

    private static Instruction.Arg arg(Node node, List<String> args) throws SyntaxProblem {
        if (args.isEmpty()) {
            throw new SyntaxProblem("ARG requires at least one argument");
        }
        List<Instruction.ArgDeclaration> declarations = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            int eq = word.indexOf('=');
            if (eq < 0) {
                declarations.add(new Instruction.ArgDeclaration(word, null));
            } else if (eq == 0) {
                throw new SyntaxProblem("ARG names can not be blank", node.positions().argOffset(i));
            } else {
                declarations.add(new Instruction.ArgDeclaration(word.substring(0, eq), word.substring(eq + 1)));
            }
        }
        return new Instruction.Arg(node, declarations);
    }

    private static Instruction.From from(Node node, BuilderFlags flags, List<String> args) throws SyntaxProblem {
        String stageName = null;
        if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
            stageName = args.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(stageName).matches()) {
                throw new SyntaxProblem("invalid name for build stage: " + GoText.quote(args.get(2))
                        + ", name can't start with a number or contain symbols", node.positions().argOffset(2));
            }
        } else if (args.size() != 1) {
            // at the word that is out of place: the second (not AS), or the first beyond three
            int misplaced = args.isEmpty() ? -1 : args.size() <= 3 ? 1 : 3;
            throw new SyntaxProblem("FROM requires either one or three arguments", node.positions().argOffset(misplaced));
        }
        BuilderFlags.Flag platform = flags.addString("platform", "");
        flags.parse();
        return new Instruction.From(node, args.get(0), stageName, platform.valueOrNull());
    }

    private static Instruction.Run run(Node node, BuilderFlags flags) throws SyntaxProblem {
        BuilderFlags.Flag mount = flags.addStrings("mount");
        BuilderFlags.Flag network = flags.addString("network", "default");
        BuilderFlags.Flag security = flags.addString("security", "sandbox");
        flags.parse();
        if (!NETWORKS.contains(network.value())) {
            throw new SyntaxProblem("invalid network mode " + GoText.quote(network.value()), network.offset());
        }
        if (!SECURITY_MODES.contains(security.value())) {
            throw new SyntaxProblem("security " + GoText.quote(security.value()) + " is not valid", security.offset());
        }
        List<MountFlag> mounts = new ArrayList<>();
        for (String value : mount.values()) {
            try {
                mounts.add(MountFlag.of(value));
            } catch (InvalidMountException e) {
                throw new SyntaxProblem(e.getMessage(), node.positions().flagOffset("mount", mounts.size()));
            }
        }
        return new Instruction.Run(node, command(node.args(), node.json()), mounts,
                network.used() ? network.value() : null, security.used() ? security.value() : null);
    }

    private static Instruction.Shell shell(Node node, BuilderFlags flags, List<String> args) throws SyntaxProblem {
        flags.parse();
        if (args.isEmpty()) {
            throw new SyntaxProblem("SHELL requires at least one argument");
        }
        if (!node.json()) {
            throw new SyntaxProblem("SHELL requires the arguments to be in JSON form", node.positions().argOffset(0));
        }
        return new Instruction.Shell(node, args);
    }

    private static Instruction.Volume volume(Node node, BuilderFlags flags, List<String> args) throws SyntaxProblem {
        atLeastOne(args, "VOLUME", flags);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String trimmed = GoText.trimSpace(args.get(i));
            if (trimmed.isEmpty()) {
                throw new SyntaxProblem("VOLUME specified can not be an empty string", node.positions().argOffset(i));
            }
            paths.add(trimmed);
        }
        return new Instruction.Volume(node, paths);
    }

    /** Sources and destination of COPY/ADD; heredoc sources are normalised to {@code <<NAME}. */
    private record Paths(List<String> sources, String destination) {}

    private static Paths paths(Node node, String instruction) throws SyntaxProblem {
        List<String> args = node.args();
        String destination = args.get(args.size() - 1);
        if (!node.json() && HeredocMarker.parseQuietly(destination) != null) {
            throw new SyntaxProblem(instruction + " cannot accept a heredoc as a destination",
                    node.positions().argOffset(args.size() - 1));
        }
        List<String> sources = new ArrayList<>();
        for (String source : args.subList(0, args.size() - 1)) {
            HeredocMarker marker = node.json() ? null : HeredocMarker.parseQuietly(source);
            sources.add(marker == null ? source : "<<" + marker.name());
        }
        return new Paths(sources, destination);
    }

    private static void needsDestination(List<String> args, String instruction) throws SyntaxProblem {
        if (args.size() < 2) {
            throw new SyntaxProblem(instruction + " requires at least two arguments, but only one was provided."
                    + " Destination could not be determined");
        }
    }

    private static Instruction.Copy copy(Node node, BuilderFlags flags, List<String> args) throws SyntaxProblem {
        needsDestination(args, "COPY");
        BuilderFlags.Flag excludes = flags.addStrings("exclude");
        BuilderFlags.Flag parents = flags.addBool("parents", false);
        BuilderFlags.Flag chown = flags.addString("chown", "");
        BuilderFlags.Flag from = flags.addString("from", "");
        BuilderFlags.Flag chmod = flags.addString("chmod", "");
        BuilderFlags.Flag link = flags.addBool("link", false);
        flags.parse();
        Paths paths = paths(node, "COPY");
        return new Instruction.Copy(node, paths.sources(), paths.destination(), from.valueOrNull(),
                chown.valueOrNull(), chmod.valueOrNull(), link.isTrue(), parents.isTrue(), excludes.values());
    }

    private static Instruction.Add add(Node node, BuilderFlags flags, List<String> args) throws SyntaxProblem {
        needsDestination(args, "ADD");
        BuilderFlags.Flag excludes = flags.addStrings("exclude");
        BuilderFlags.Flag chown = flags.addString("chown", "");
        BuilderFlags.Flag chmod = flags.addString("chmod", "");
        BuilderFlags.Flag link = flags.addBool("link", false);
        BuilderFlags.Flag keepGitDir = flags.addBool("keep-git-dir", false);
        BuilderFlags.Flag checksum = flags.addString("checksum", "");
        BuilderFlags.Flag unpack = flags.addBool("unpack", false);
        flags.parse();
        Paths paths = paths(node, "ADD");
        return new Instruction.Add(node, paths.sources(), paths.destination(), chown.valueOrNull(),
                chmod.valueOrNull(), link.isTrue(), checksum.valueOrNull(), keepGitDir.isTrue(),
                unpack.used() ? unpack.isTrue() : null, excludes.values());
    }

    private Instruction.Onbuild onbuild(Node node, BuilderFlags flags) throws SyntaxProblem {
        Node trigger = node.next();
        if (trigger == null) {
            throw new SyntaxProblem("ONBUILD requires at least one argument");
        }
        flags.parse();
        String keyword = trigger.keyword().toUpperCase(Locale.ROOT);
        int triggerAt = trigger.positions().keywordOffset();
        if (keyword.equals("ONBUILD")) {
            throw new SyntaxProblem("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", triggerAt);
        }
        if (keyword.equals("MAINTAINER") || keyword.equals("FROM")) {
            throw new SyntaxProblem(keyword + " isn't allowed as an ONBUILD trigger", triggerAt);
        }
        return new Instruction.Onbuild(node, convert(trigger));
    }

    private static Instruction.Healthcheck healthcheck(Node node, BuilderFlags flags, List<String> args)
            throws SyntaxProblem {
        if (args.isEmpty()) {
            throw new SyntaxProblem("HEALTHCHECK requires at least one argument");
        }
        String type = args.get(0).toUpperCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        if (type.equals("NONE")) {
            // BuildKit ignores flags on HEALTHCHECK NONE
            if (!rest.isEmpty()) {
                throw new SyntaxProblem("HEALTHCHECK NONE takes no arguments", node.positions().argOffset(1));
            }
            return new Instruction.Healthcheck(node, null, null, null, null, null, null);
        }
        BuilderFlags.Flag interval = flags.addString("interval", "");
        BuilderFlags.Flag timeout = flags.addString("timeout", "");
        BuilderFlags.Flag startPeriod = flags.addString("start-period", "");
        BuilderFlags.Flag startInterval = flags.addString("start-interval", "");
        BuilderFlags.Flag retries = flags.addString("retries", "");
        flags.parse();
        if (!type.equals("CMD")) {
            throw new SyntaxProblem("unknown type " + GoText.quote(type) + " in HEALTHCHECK (try CMD)",
                    node.positions().argOffset(0));
        }
        if (rest.isEmpty()) {
            throw new SyntaxProblem("missing command after HEALTHCHECK CMD");
        }
        return new Instruction.Healthcheck(node, command(rest, node.json()), interval(interval),
                interval(timeout), interval(startPeriod), interval(startInterval), retries(retries));
    }

    /** Null when not given; zero is allowed and means "the default"; otherwise at least 1ms. */
    private static Duration interval(BuilderFlags.Flag flag) throws SyntaxProblem {
        if (flag.value().isEmpty()) {
            return null;
        }
        Duration d;
        try {
            d = GoDuration.parse(flag.value());
        } catch (SyntaxProblem e) {
            throw new SyntaxProblem(e.getMessage(), flag.offset());
        }
        if (!d.isZero() && d.compareTo(MINIMUM_INTERVAL) < 0) {
            throw new SyntaxProblem("Interval " + GoText.quote(flag.name()) + " cannot be less than 1ms", flag.offset());
        }
        return d;
    }

    private static Integer retries(BuilderFlags.Flag flag) throws SyntaxProblem {
        String value = flag.value();
        if (value.isEmpty()) {
            return null;
        }
        long parsed;
        try {
            String digits = value.startsWith("+") ? value.substring(1) : value;
            if (digits.isEmpty() || digits.startsWith("+") || !digits.matches("-?[0-9]+")) {
                throw new NumberFormatException();
            }
            parsed = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            String reason = value.matches("[+-]?[0-9]+") ? "value out of range" : "invalid syntax";
            throw new SyntaxProblem("invalid --retries value " + GoText.quote(value) + ": " + reason, flag.offset());
        }
        if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
            throw new SyntaxProblem("invalid --retries value " + GoText.quote(value) + ": value out of range", flag.offset());
        }
        if (parsed < 0) {
            throw new SyntaxProblem("--retries cannot be negative (" + parsed + ")", flag.offset());
        }
        return (int) parsed;
    }
}
