package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoRegexTest {

    /** Go expression, input, whether Go's MatchString is true. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("^a[^/]*$", "a\nb", true), // a negated class matches a newline in Go
                Arguments.of("^a.*$", "a\nb", false), // '.' does not
                Arguments.of("^a$", "a\n", false), // '$' is the end of the text, not of a line
                Arguments.of("^[[:digit:]]x$", "7x", true),
                Arguments.of("^[[:^digit:]]x$", "7x", false),
                Arguments.of("^[[^/]*]$", "]", true), // '[' and '^' are plain characters inside a class
                Arguments.of("^[[^/]*]$", "^^]", true),
                Arguments.of("^[]a]$", "]", true), // ']' first in a class is literal
                Arguments.of("^[a-]$", "-", true),
                Arguments.of("^\\pL$", "é", true),
                Arguments.of("^\\p{Greek}$", "λ", true),
                Arguments.of("^[\\d_]$", "_", true),
                Arguments.of("^\\x41\\x{42}$", "AB", true),
                Arguments.of("^\\101$", "A", true),
                Arguments.of("^\\Qa.b\\E$", "a.b", true),
                Arguments.of("^\\Qa.b\\E$", "axb", false),
                Arguments.of("^\\.\\+\\(\\)\\|\\{\\}\\$$", ".+()|{}$", true),
                // MatchString searches: without anchors any part may match
                Arguments.of("b", "abc", true),
                Arguments.of("^\\Qa$", "a$x", true), // \Q swallows the '$', so only the start is anchored
                Arguments.of("^a{$", "a{", true), // a '{' that starts no count is literal
                Arguments.of("^(a|b)c$", "bc", true),
                Arguments.of("^(a|)c$", "c", true),
                Arguments.of("^(ab)+$", "abab", true),
                Arguments.of("^(ab)+$", "", false),
                Arguments.of("^(.*/)?x$", "a/b/x", true),
                Arguments.of("^(.*/)?x$", "a/bx", false),
                Arguments.of("^a*?b??$", "aa", true),
                Arguments.of("^()*$", "", true),
                // Go's \b is ASCII: é is no word character
                Arguments.of("\\bfoo\\b", "a foo b", true),
                Arguments.of("\\bfoo\\b", "afoo", false),
                Arguments.of("^\\bé", "é", false),
                Arguments.of("a\\B", "ab", true),
                Arguments.of("^\\p{Old_Italic}$", "\uD800\uDF00", true),
                Arguments.of("^\\p{^Greek}$", "λ", false),
                Arguments.of("^[\\P{L}]$", "1", true),
                Arguments.of("^\\pN\\p{Lu}$", "٣A", true),
                Arguments.of("^\\p{Any}$", "\n", true),
                Arguments.of("^[^[:space:]\\d]$", "x", true),
                Arguments.of("^[^[:space:]\\d]$", "\u000B", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void translatesGoSemantics(String goRegex, String input, boolean matches) throws GoRegex.SyntaxException {
        assertEquals(matches, GoRegex.compile(goRegex).matches(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\q", "\\1", "\\", "[a", "[z-a]", "[[:nope:]]", "\\xZZ", "[\\b]", "\\x{41", "\\x{}",
        "a**", "a*+", "a?*", "*a", "a|*", "(*)", "(a", "a)", "\\p{IsAlpha}", "\\p{greek}", "\\pX", "\\E", "[\\Q]",
        // Go accepts these, but Docker's pattern conversion never writes them
        "(?i)a", "a{2}", "a{1,}", "a{1,2}"})
    void rejectsWhatGoRejects(String goRegex) {
        assertThrows(GoRegex.SyntaxException.class, () -> GoRegex.compile(goRegex));
    }
}
