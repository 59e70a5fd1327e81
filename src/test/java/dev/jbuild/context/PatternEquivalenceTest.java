package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The linear-time matchers agree with the backtracking ones they replaced ({@link
 * BacktrackingGoRegex}, {@link BacktrackingGoGlob}) on many generated short patterns and names:
 * same syntax errors, same answers. The alphabets are the characters that mean something to the
 * translation or to Go's parser, so odd combinations ({@code [*]}, {@code [^]a]}, {@code \d},
 * {@code \x41}, {@code [[:alpha:]]}) come up often. Left out on purpose are the two places where
 * the old translation was not Go's: {@code \Q} without {@code \E} (Go then searches, the old code
 * matched whole), {@code \x{...}} without its brace (see GoRegexTest).
 */
class PatternEquivalenceTest {

    private static final String PATTERN_ALPHABET = "aab//**??[]^-\\.:dwDsSx41!_AB";
    private static final String NAME_ALPHABET = "aab/[]^-.*?\\:_A1\n ";
    private static final long SEED = 13;

    @Test
    void ignorePatternsMatchAsBefore() {
        Random random = new Random(SEED);
        List<String> names = names(random, 60);
        int compared = 0;
        int rejected = 0;
        for (int n = 0; n < 20_000; n++) {
            String pattern = random(random, PATTERN_ALPHABET, 1 + random.nextInt(9));
            if (!GoGlobSyntax.isValid(pattern)) {
                continue;
            }
            IgnorePattern.Translation t = IgnorePattern.translate(pattern);
            if (t.kind() != IgnorePattern.Kind.REGEX) {
                continue; // exact, prefix and suffix tests are string comparisons, unchanged
            }
            Pattern before;
            try {
                before = BacktrackingGoRegex.compile(t.goRegex());
            } catch (BacktrackingGoRegex.SyntaxException e) {
                before = null;
            }
            GoRegex after;
            try {
                after = GoRegex.compile(t.goRegex());
            } catch (GoRegex.SyntaxException e) {
                after = null;
            }
            assertEquals(before == null, after == null, () -> "accepted differently: " + pattern + " as " + t.goRegex());
            if (after == null) {
                rejected++;
                continue;
            }
            for (String name : names) {
                assertEquals(before.matcher(name).matches(), after.matches(name),
                        "pattern " + pattern + " (" + t.goRegex() + ") on " + name);
            }
            compared++;
        }
        assertTrue(compared > 5_000 && rejected > 100, compared + " compared, " + rejected + " rejected");
    }

    @Test
    void sourceWildcardsMatchAsBefore() {
        Random random = new Random(SEED);
        List<String> names = names(random, 60);
        int valid = 0;
        for (int n = 0; n < 20_000; n++) {
            String pattern = random(random, "aab**??[]^-\\/", 1 + random.nextInt(9));
            valid += GoGlobSyntax.isValid(pattern) ? 1 : 0;
            GoGlob.Compiled after = GoGlob.compile(pattern);
            for (String name : names) {
                assertEquals(BacktrackingGoGlob.matches(pattern, name), after.matches(name),
                        () -> "pattern " + pattern + " on " + name);
            }
        }
        assertTrue(valid > 5_000, valid + " valid patterns");
    }

    private static List<String> names(Random random, int count) {
        List<String> names = new ArrayList<>(List.of("", "a", "ab", "b", "a/b", "aa/bb/ab", "]", "[", "^", "a]"));
        while (names.size() < count) {
            names.add(random(random, NAME_ALPHABET, random.nextInt(8)));
        }
        return names;
    }

    private static String random(Random random, String alphabet, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
