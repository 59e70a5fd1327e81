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
                Arguments.of("^\\.\\+\\(\\)\\|\\{\\}\\$$", ".+()|{}$", true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void translatesGoSemantics(String goRegex, String input, boolean matches) throws GoRegex.SyntaxException {
        assertEquals(matches, GoRegex.compile(goRegex).matcher(input).matches());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\q", "\\1", "\\", "[a", "[z-a]", "[[:nope:]]", "\\xZZ", "[\\b]"})
    void rejectsWhatGoRejects(String goRegex) {
        assertThrows(GoRegex.SyntaxException.class, () -> GoRegex.compile(goRegex));
    }
}
