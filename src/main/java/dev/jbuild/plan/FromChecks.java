package dev.jbuild.plan;

import dev.jbuild.dockerfile.CheckRule;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.ShellExpansionException;
import dev.jbuild.dockerfile.ShellWords;
import dev.jbuild.dockerfile.Suggestions;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The build checks of a FROM line that need the global ARGs: UndefinedArgInFrom, RedundantTargetPlatform,
 * FromPlatformFlagConstDisallowed and InvalidDefaultArgInFrom, as BuildKit runs them for every stage
 * (dockerfile2llb's buildDispatchStates and validateBaseImagesWithDefaultArgs). A word that cannot be
 * expanded is the planner's error to report, never a finding.
 */
final class FromChecks {

    private final ShellWords words;
    /** The global scope: predefined platform args and the global ARGs with a value. */
    private final Map<String, String> scope;
    /** The same with defaults only, as if no {@code --build-arg} was given. */
    private final Map<String, String> defaults;
    /** Every name FROM may use: the scope's and the global ARGs declared without a value. */
    private final Set<String> known;

    FromChecks(ShellWords words, Map<String, String> scope, Map<String, String> defaults, Set<String> declared) {
        this.words = words;
        this.scope = scope;
        this.defaults = defaults;
        this.known = new TreeSet<>(scope.keySet());
        this.known.addAll(declared);
    }

    void check(Instruction.From from, List<Finding> findings) {
        ShellWords.Result base = process(from.image(), scope);
        if (base != null) {
            undeclared(from, base, findings);
        }
        ShellWords.Result withDefaults = process(from.image(), defaults);
        if (withDefaults != null && !validReference(withDefaults.word())) {
            findings.add(CheckRule.INVALID_DEFAULT_ARG_IN_FROM.at(from.location(), CheckRule.invalidDefaultArgInFrom(from.image())));
        }
        if (from.platform() == null) {
            return;
        }
        ShellWords.Result platform = process(from.platform(), scope);
        if (platform == null) {
            return;
        }
        undeclared(from, platform, findings);
        // Only when TARGETPLATFORM alone was substituted and gave its own value: the word was $TARGETPLATFORM.
        if (platform.matched().equals(Set.of("TARGETPLATFORM")) && platform.unmatched().isEmpty()
                && platform.word().equals(scope.get("TARGETPLATFORM"))) {
            findings.add(CheckRule.REDUNDANT_TARGET_PLATFORM.at(from.location(), CheckRule.redundantTargetPlatform(from.platform())));
        }
        if (platform.matched().isEmpty() && platform.unmatched().isEmpty()) {
            constantPlatform(from, platform.word(), findings);
        }
    }

    private void undeclared(Instruction.From from, ShellWords.Result result, List<Finding> findings) {
        for (String name : result.unmatched()) {
            if (!known.contains(name)) {
                findings.add(CheckRule.UNDEFINED_ARG_IN_FROM.at(from.location(),
                        CheckRule.undefinedArgInFrom(name, Suggestions.closest(name, known, true))));
            }
        }
    }

    /** A stage named for the platform ({@code FROM --platform=linux/amd64 x AS build-amd64}) may fix it. */
    private static void constantPlatform(Instruction.From from, String value, List<Finding> findings) {
        Platform platform;
        try {
            platform = Platform.parse(value);
        } catch (IllegalArgumentException e) {
            return; // the build reports it
        }
        String name = from.stageName() == null ? "" : from.stageName().toLowerCase(Locale.ROOT);
        if (name.contains(platform.os()) || name.contains(platform.architecture())) {
            return;
        }
        findings.add(CheckRule.FROM_PLATFORM_FLAG_CONST_DISALLOWED.at(from.location(), CheckRule.fromPlatformFlagConstDisallowed(value)));
    }

    private static boolean validReference(String reference) {
        try {
            ImageName.parse(reference);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private ShellWords.Result process(String word, Map<String, String> env) {
        try {
            return words.process(word, env);
        } catch (ShellExpansionException e) {
            return null;
        }
    }
}
