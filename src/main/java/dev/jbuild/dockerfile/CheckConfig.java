package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which build checks run and whether findings fail the build: BuildKit's {@code check} options, from the
 * {@code # check=skip=<rules|all>;experimental=<rules|all>;error=<bool>} directive or the
 * {@code BUILDKIT_DOCKERFILE_CHECK} build arg (same syntax). The build arg replaces the directive
 * entirely, as in BuildKit (dockerui reads it into the client's linter config, which wins over the
 * directive). The one parser of that syntax; SecretArgs and every other rule ask {@link #reports}.
 *
 * @param skipAll         {@code skip=all}: no non-experimental rule runs
 * @param skip            rule names to skip
 * @param experimentalAll {@code experimental=all}: every experimental rule runs
 * @param experimental    experimental rules to run
 * @param error           {@code error=true}: findings fail the build
 */
public record CheckConfig(boolean skipAll, Set<String> skip, boolean experimentalAll, Set<String> experimental, boolean error) {

    /** The build arg that overrides the directive. */
    public static final String BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK";

    public static final CheckConfig DEFAULT = new CheckConfig(false, Set.of(), false, Set.of(), false);

    public CheckConfig {
        skip = Set.copyOf(skip);
        experimental = Set.copyOf(experimental);
    }

    /**
     * The options in force for a build of {@code dockerfile} with {@code buildArgs}.
     *
     * @throws IllegalArgumentException BuildKit's {@code failed to parse check options: ...}
     */
    public static CheckConfig of(Dockerfile dockerfile, Map<String, String> buildArgs) {
        String value = buildArgs.containsKey(BUILD_ARG) ? buildArgs.get(BUILD_ARG) : dockerfile.directives().get("check");
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to parse check options: " + e.getMessage(), e);
        }
    }

    /**
     * BuildKit's {@code ParseLintOptions}: up to three {@code key=value} parts split at {@code ;}, names
     * in a list split at {@code ,}, blanks around each trimmed.
     */
    public static CheckConfig parse(String text) {
        if (text == null) {
            return DEFAULT;
        }
        String value = text.strip();
        if (value.isEmpty()) {
            return DEFAULT;
        }
        boolean skipAll = false;
        boolean experimentalAll = false;
        boolean error = false;
        Set<String> skip = new LinkedHashSet<>();
        Set<String> experimental = new LinkedHashSet<>();
        for (String part : value.split(";", 3)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid check option " + CheckRule.goQuote(part));
            }
            String key = part.substring(0, eq).strip();
            String v = part.substring(eq + 1).strip();
            switch (key) {
                case "skip" -> {
                    if (v.equals("all")) {
                        skipAll = true;
                    } else {
                        skip.addAll(names(v));
                    }
                }
                case "experimental" -> {
                    if (v.equals("all")) {
                        experimentalAll = true;
                    } else {
                        experimental.addAll(names(v));
                    }
                }
                case "error" -> error = goBool(v, part);
                default -> throw new IllegalArgumentException("invalid check option " + CheckRule.goQuote(key));
            }
        }
        return new CheckConfig(skipAll, skip, experimentalAll, experimental, error);
    }

    /** Whether findings of {@code rule} are reported (BuildKit's Linter.Run). */
    public boolean reports(CheckRule rule) {
        if (rule.experimental()) {
            return experimentalAll || experimental.contains(rule.ruleName());
        }
        return !skipAll && !skip.contains(rule.ruleName());
    }

    /**
     * The findings reported, in order. A {@code # check=} comment just before an instruction adds its
     * options for that instruction's findings (BuildKit's WithMergedConfigFromComments; the text after
     * its first blank is a remark, a comment it cannot parse is ignored), except for the rules BuildKit
     * runs over the whole file ({@link CheckRule#wholeFile}).
     */
    public List<Finding> filter(List<Finding> findings, Map<Integer, String> checkComments) {
        return findings.stream().filter(f -> forFinding(f, checkComments).reports(f.rule())).toList();
    }

    private CheckConfig forFinding(Finding finding, Map<Integer, String> checkComments) {
        String comment = checkComments.get(finding.line());
        if (comment == null || finding.rule().wholeFile()) {
            return this;
        }
        String value = comment.strip();
        int blank = value.indexOf(' ');
        CheckConfig local;
        try {
            local = parse(blank < 0 ? value : value.substring(0, blank));
        } catch (IllegalArgumentException e) {
            return this;
        }
        Set<String> skipped = new LinkedHashSet<>(skip);
        skipped.addAll(local.skip);
        Set<String> experiments = new LinkedHashSet<>(experimental);
        experiments.addAll(local.experimental);
        return new CheckConfig(skipAll || local.skipAll, skipped, experimentalAll || local.experimentalAll, experiments,
                error);
    }

    /**
     * With {@code error=true} and findings: BuildKit's {@code lint violation found for rules: A, B} (each
     * rule once, in the order first found); otherwise null.
     */
    public String violation(List<Finding> reported) {
        if (!error || reported.isEmpty()) {
            return null;
        }
        Set<String> rules = new LinkedHashSet<>();
        reported.forEach(f -> rules.add(f.ruleName()));
        return "lint violation found for rules: " + String.join(", ", rules);
    }

    private static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",", -1)) {
            names.add(name.strip());
        }
        return names;
    }

    /** Go's strconv.ParseBool. */
    private static boolean goBool(String v, String part) {
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new IllegalArgumentException("failed to parse check option " + CheckRule.goQuote(part)
                    + ": strconv.ParseBool: parsing " + CheckRule.goQuote(v) + ": invalid syntax");
        };
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "skip=%s;experimental=%s;error=%s", skipAll ? "all" : String.join(",", skip),
                experimentalAll ? "all" : String.join(",", experimental), error);
    }
}
