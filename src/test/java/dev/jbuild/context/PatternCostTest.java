package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.context.CopySelection.CopyFlags;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A build context and its .dockerignore come from whoever wrote them: no pattern may make matching
 * take time beyond pattern length times name length, or overflow the stack. Docker's Go regexps
 * (RE2) give that guarantee; these patterns made a backtracking matcher run for minutes.
 */
class PatternCostTest {

    /**
     * A hang detector, not a speed goal: each case takes milliseconds to about a second when matching
     * is linear, and ran for minutes when it backtracked; the margin absorbs a loaded CI machine.
     */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static final String LONG_NAME = "a".repeat(5_000);

    /** Pattern, whether it matches the long name followed by a {@code b}, a short name it matches. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "*a*a*a*a*a*a*a*a*a*a*a*a*b|true|xaxaaaaaaaaaaab",
        "**/a**/a**/a**/a**/a**/a**/a**/a**/a**/a**/b|false|x/ax/aaaaaaaa/a/b", // ** is (.*/)?: any directories
        "**a**a**a**a**a**a**a**a**a**a**a**b|false|aaaaaaaaaaab",
        "[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*[a]*b|true|aaaaaaaaaab",
        "?*?*?*?*?*?*?*?*?*?*?*?*b|true|xyzxyzxyzxyzb",
        "*\\x61*\\x61*\\x61*\\x61*\\x61*\\x61*\\x61*\\x61*\\x61*\\x61*b|true|aaaaaaaaaab", // Go escapes: \x61 is a
    })
    void adversarialIgnorePatternsFinish(String pattern, boolean matchesWithB, String matching) {
        DockerIgnore rules = parse(pattern);
        assertTimeoutPreemptively(BOUND, () -> {
            assertFalse(rules.excludes(LONG_NAME));
            assertFalse(rules.excludes("a/" + LONG_NAME));
            assertFalse(rules.excludes(String.join("/", Collections.nCopies(500, "a"))));
            assertEquals(matchesWithB, rules.excludes(LONG_NAME + "b"));
            assertTrue(rules.excludes(matching));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"*a*a*a*a*a*a*a*a*a*a*a*a*b", "?*?*?*?*?*?*?*?*?*?*?*?*b", "[a]*[a]*[a]*[a]*[a]*[a]*[a]*b"})
    void adversarialSourceWildcardsFinish(String pattern) {
        assertTimeoutPreemptively(BOUND, () -> {
            assertFalse(GoGlob.matches(pattern, LONG_NAME));
            assertTrue(GoGlob.matches(pattern, LONG_NAME + "b"));
        });
    }

    /**
     * 100,000 characters of pattern: a result, in bounded time, and never a StackOverflowError
     * (java.util.regex recursed once per element). The cost is pattern times name length, so the
     * names stay at path length.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a", "*a", "?", "[a]", "**/a", "a/", "\\a", "[[:alpha:]]", "\\d", "[^/]*"})
    void veryLongIgnorePatternsGiveAResult(String unit) {
        String pattern = unit.repeat(100_000 / unit.length());
        assertTimeoutPreemptively(BOUND, () -> {
            DockerIgnore rules = parse(pattern + "b");
            rules.excludes("b");
            rules.excludes(LONG_NAME);
            rules.excludes(pattern.substring(0, 1_000) + "b");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "*a", "?", "[a]", "[^b]", "\\a"})
    void veryLongSourceWildcardsGiveAResult(String unit) {
        String pattern = unit.repeat(100_000 / unit.length());
        assertTimeoutPreemptively(BOUND, () -> {
            GoGlob.matches(pattern, "a");
            GoGlob.matches(pattern, LONG_NAME);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 4_096})
    void longPatternsMatchWhatTheyShould(int length) {
        assertTimeoutPreemptively(BOUND, () -> {
            String name = "x".repeat(length);
            assertTrue(parse("?".repeat(length)).excludes(name));
            assertFalse(parse("?".repeat(length + 1)).excludes(name));
            assertTrue(parse("*x".repeat(length / 2)).excludes(name));
            assertTrue(GoGlob.matches("?".repeat(length), name));
            assertFalse(GoGlob.matches("?".repeat(length - 1), name));
        });
    }

    /**
     * COPY's source wildcards and --exclude patterns on a real context: a file name is at most 255
     * bytes, enough for a backtracking matcher never to finish.
     */
    @Test
    void copySourcesAndExcludesFinish(@TempDir Path context) throws IOException {
        String name = "a".repeat(250);
        TestTrees.file(context, "src/" + name, "x");
        TestTrees.file(context, "src/" + name + "b", "y");
        String evil = "*a*a*a*a*a*a*a*a*a*a*a*a*b";
        SourceTree tree = BuildContexts.directory(context, DockerIgnore.none());
        assertTimeoutPreemptively(BOUND, () -> {
            List<CopySelection.Selected> sources = CopySelection.select(tree, List.of("src/" + evil), CopyFlags.NONE);
            assertEquals(List.of("/src/" + name + "b"), sources.stream().map(s -> s.root().path()).toList());
            List<CopySelection.Selected> excluded = CopySelection.select(tree, List.of("src"),
                    new CopyFlags(false, List.of(evil)));
            assertEquals(List.of("", name), excluded.get(0).members().stream().map(CopySelection.Member::relativePath).toList());
            List<CopySelection.Selected> parents = CopySelection.select(tree, List.of("./src/./" + evil),
                    new CopyFlags(true, List.of()));
            assertEquals(List.of(name + "b"), parents.stream().map(CopySelection.Selected::destinationName).toList());
        });
    }

    private static DockerIgnore parse(String pattern) {
        try {
            return DockerIgnore.parse(pattern);
        } catch (DockerIgnoreException e) {
            throw new AssertionError(e);
        }
    }
}
