package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShellWordsTest {

    private final ShellWords backslash = new ShellWords('\\');
    private final ShellWords backtick = new ShellWords('`');

    /** FOO is set, EMPTY is set but empty, anything else is unset. */
    private static final Map<String, String> ENV = Map.of("FOO", "xxyy", "EMPTY", "", "PATH_", "/tmp/tmp/bar.txt");

    static Stream<Arguments> operators() {
        return Stream.of(
                // default value
                Arguments.of("${FOO:-d}", "xxyy"),
                Arguments.of("${EMPTY:-d}", "d"),
                Arguments.of("${UNSET:-d}", "d"),
                Arguments.of("${FOO-d}", "xxyy"),
                Arguments.of("${EMPTY-d}", ""),
                Arguments.of("${UNSET-d}", "d"),
                Arguments.of("${UNSET:-}", ""),
                Arguments.of("${UNSET:-${ALSO_UNSET:-inner}}", "inner"),
                Arguments.of("${UNSET:-a b}", "a b"),
                Arguments.of("${UNSET:-\"a}b\"}", "a}b"),
                // alternative value
                Arguments.of("${FOO:+a}", "a"),
                Arguments.of("${EMPTY:+a}", ""),
                Arguments.of("${UNSET:+a}", ""),
                Arguments.of("${FOO+a}", "a"),
                Arguments.of("${EMPTY+a}", "a"),
                Arguments.of("${UNSET+a}", ""),
                // required value, when it is present
                Arguments.of("${FOO:?msg}", "xxyy"),
                Arguments.of("${FOO?msg}", "xxyy"),
                Arguments.of("${EMPTY?msg}", ""),
                // prefix removal: shortest, then longest
                Arguments.of("${FOO#x}", "xyy"),
                Arguments.of("${FOO##x}", "xyy"),
                Arguments.of("${FOO#*x}", "xyy"),
                Arguments.of("${FOO##*x}", "yy"),
                Arguments.of("${FOO#*x*y}", "y"),
                Arguments.of("${FOO##*x*y}", ""),
                Arguments.of("${FOO#?}", "xyy"),
                Arguments.of("${FOO#*}", "xxyy"),
                Arguments.of("${FOO##*}", ""),
                Arguments.of("${FOO#}", "xxyy"),
                Arguments.of("${FOO##}", "xxyy"),
                Arguments.of("${FOO#zz}", "xxyy"),
                Arguments.of("${UNSET#x}", ""),
                // suffix removal
                Arguments.of("${FOO%y}", "xxy"),
                Arguments.of("${FOO%y*}", "xxy"),
                Arguments.of("${FOO%%y*}", "xx"),
                Arguments.of("${FOO%x*}", "x"),
                Arguments.of("${FOO%%x*}", ""),
                Arguments.of("${FOO%?}", "xxy"),
                Arguments.of("${FOO%}", "xxyy"),
                Arguments.of("${PATH_%/*}", "/tmp/tmp"),
                Arguments.of("${PATH_##*/}", "bar.txt"),
                Arguments.of("${PATH_%.*}", "/tmp/tmp/bar"),
                // the colon form of # and % is an error, as in BuildKit (its lex_test)
                Arguments.of("${FOO:#x}", "error"),
                // replacement: first (literal), all
                Arguments.of("${PATH_/tmp/x}", "/x/tmp/bar.txt"),
                Arguments.of("${PATH_//tmp/x}", "/x/x/bar.txt"),
                Arguments.of("${PATH_//\\//_}", "_tmp_tmp_bar.txt"),
                Arguments.of("${PATH_//\\//\\/}", "\\/tmp\\/tmp\\/bar.txt"),
                Arguments.of("${PATH_/t*p/X}", "/X/bar.txt"),
                Arguments.of("${PATH_/?/X}", "Xtmp/tmp/bar.txt"),
                Arguments.of("${FOO/y}", "error"),
                Arguments.of("${FOO///}", "xxyy"),
                Arguments.of("${FOO//}", "error"),
                Arguments.of("${UNSET/a/b}", ""),
                // errors
                Arguments.of("${FOO:?msg}x${", "error"),
                Arguments.of("${UNSET:?msg}", "error"),
                Arguments.of("${UNSET?msg}", "error"),
                Arguments.of("${EMPTY:?msg}", "error"),
                Arguments.of("${FOO:=x}", "error"),
                Arguments.of("${FOO=x}", "error"),
                Arguments.of("${FOO:}", "error"),
                Arguments.of("${FOO:x}y}", "error"),
                Arguments.of("${FOO", "error"),
                Arguments.of("${FOO:-x", "error"),
                Arguments.of("${", "error"),
                Arguments.of("${}", "error"),
                Arguments.of("${:-x}", "error"),
                Arguments.of("${{FOO}", "error"),
                Arguments.of("${FOO.}", "error"),
                Arguments.of("${#FOO}", "error"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("operators")
    void operator(String input, String expected) throws ShellExpansionException {
        if (expected.equals("error")) {
            assertThrows(ShellExpansionException.class, () -> backslash.expand(input, ENV));
        } else {
            assertEquals(expected, backslash.expand(input, ENV));
        }
    }

    static Stream<Arguments> patterns() {
        return Stream.of(
                // every regex metacharacter is literal in a shell pattern; } must be escaped
                Arguments.of("${V#()[]{\\}^$.\\*\\?|\\\\}", "()[]{}^$.*?|\\x", "x"),
                // [ is literal: BuildKit has no bracket expressions
                Arguments.of("${V#[ab]}", "[ab]c", "c"),
                Arguments.of("${V#[ab]}", "ac", "ac"),
                Arguments.of("${V%%\\**}", "xx**", "xx"),
                Arguments.of("${V%%\\**\\*}", "a***yy*", "a"),
                Arguments.of("${V#?\\?}", "???y", "?y"),
                Arguments.of("${V%어}", "한국어", "한국"),
                Arguments.of("${V#한?}", "한국어", "어"),
                Arguments.of("${V%🚀*}", "a🚀b🚀c", "a🚀b"),
                Arguments.of("${V%%🚀*}", "a🚀b🚀c", "a"),
                // Go's '.' does not match a newline, and neither does '?' here
                Arguments.of("${V#?}", "\nx", "\nx"),
                Arguments.of("${V#?}", "\rx", "x"),
                // quotes inside the pattern are removed before matching, so unlike bash
                // they do not make a wildcard literal; only \ does
                Arguments.of("${V#\"*\"}", "**x", "**x"),
                Arguments.of("${V##'*'}", "**x", ""),
                Arguments.of("${V#\\*}", "**x", "*x"),
                // inside double quotes BuildKit keeps "\*" as a literal backslash and a wildcard
                Arguments.of("${V#\"\\*\"}", "**x", "**x"),
                Arguments.of("${V#\"\\*\"}", "\\*x", "*x"),
                Arguments.of("${V#\\x}", "x", "error"),
                Arguments.of("${V#a\\}", "a", "error"));
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @MethodSource("patterns")
    void pattern(String input, String value, String expected) throws ShellExpansionException {
        Map<String, String> env = Map.of("V", value);
        if (expected.equals("error")) {
            assertThrows(ShellExpansionException.class, () -> backslash.expand(input, env));
        } else {
            assertEquals(expected, backslash.expand(input, env));
        }
    }

    @Test
    void replacementsFromVariablesFollowGoRegexpRules() throws ShellExpansionException {
        // Replace-all treats the replacement as a Go template: $0 is the match, $$ a dollar.
        Map<String, String> env = Map.of("V", "abc", "R", "<$0>", "D", "$$", "E", "", "STAR", "*");
        assertEquals("a<b>c", backslash.expand("${V//b/$R}", env));
        assertEquals("a$c", backslash.expand("${V//b/$D}", env));
        // ... but replace-first inserts it literally.
        assertEquals("a<$0>c", backslash.expand("${V/b/$R}", env));
        // An empty pattern matches between all characters, once each.
        assertEquals("-a-b-c-", backslash.expand("${V//$E/-}", env));
        assertEquals("-abc", backslash.expand("${V/$E/-}", env));
        // An empty match right after a match is not replaced again (java.util.regex would give "--").
        assertEquals("-", backslash.expand("${V//$STAR/-}", env));
        // Wildcards from a variable's value are wildcards, escaped ones are not.
        Map<String, String> files = Map.of("F", "/foo*/*/*.txt", "N", "\\*/");
        assertEquals("/foo.*/*.txt - /foo..*.txt", backslash.expand("${F/$N/.} - ${F//$N/.}", files));
        Map<String, String> paths = Map.of("F", "/a/foo/b/c.txt", "N", "/?/", "R", "/");
        assertEquals("/foo/b/c.txt - /foo/c.txt", backslash.expand("${F/$N/$R} - ${F//$N/$R}", paths));
    }

    @Test
    void requiredVariableMessages() {
        ShellExpansionException unset = assertThrows(ShellExpansionException.class,
                () -> backslash.expand("${VAR:?message here$ARG}", Map.of("ARG", "x")));
        assertTrue(unset.getMessage().contains("VAR: message herex"), unset.getMessage());
        ShellExpansionException empty = assertThrows(ShellExpansionException.class,
                () -> backslash.expand("${VAR:?}", Map.of("VAR", "")));
        assertTrue(empty.getMessage().contains("VAR: is not allowed to be empty"), empty.getMessage());
        ShellExpansionException noMessage = assertThrows(ShellExpansionException.class,
                () -> backslash.expand("${VAR?}", Map.of()));
        assertTrue(noMessage.getMessage().contains("VAR: is not allowed to be unset"), noMessage.getMessage());
    }

    @Test
    void errorMessagesNameTheWordAndTheProblem() {
        assertMessage("${FOO", "failed to process \"${FOO\"", "missing '}'");
        assertMessage("a${}", "failed to process \"a${}\"", "bad substitution");
        assertMessage("${FOO:=x}", "unsupported modifier (:=) in substitution");
        // A colon before a pattern operator is no shell syntax: BuildKit refuses it, set or not.
        assertMessage("${FOO:#x}", "unsupported modifier (:#) in substitution");
        assertMessage("${FOO:##x}", "unsupported modifier (:#) in substitution");
        assertMessage("${FOO:%x}", "unsupported modifier (:%) in substitution");
        assertMessage("${FOO:%%}", "unsupported modifier (:%) in substitution");
        assertMessage("\"abc", "looking for matching double-quote");
        assertMessage("'abc", "looking for matching single-quote");
        assertMessage("${FOO/abc", "missing '/' in ${}");
        assertMessage("${FOO#\\q}", "invalid escape '\\q'");
    }

    private void assertMessage(String input, String... fragments) {
        ShellExpansionException e = assertThrows(ShellExpansionException.class, () -> backslash.expand(input, ENV));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void quotes() throws ShellExpansionException {
        Map<String, String> env = Map.of("A", "1");
        assertEquals("$A", backslash.expand("'$A'", env));
        assertEquals("1", backslash.expand("\"$A\"", env));
        assertEquals("a\"b$A\\c\\d", backslash.expand("\"a\\\"b\\$A\\\\c\\d\"", env));
        assertEquals("it's", backslash.expand("\"it's\"", env));
        assertEquals("", backslash.expand("\"\"''", env));
    }

    @Test
    void backtickEscape() throws ShellExpansionException {
        Map<String, String> env = Map.of("PWD", "/home");
        // Windows-style paths keep their backslashes when the escape is a backtick.
        assertEquals("C:\\Program Files\\x", backtick.expand("C:\\Program` Files\\x", env));
        assertEquals("he$PWD", backtick.expand("he`$PWD", env));
        assertEquals("he\\/home", backtick.expand("he\\$PWD", env));
        assertEquals("he`/home", backtick.expand("he``$PWD", env));
        assertEquals("a\"b", backtick.expand("\"a`\"b\"", env));
        assertEquals("a`b", backtick.expand("\"a``b\"", env));
        assertEquals("a`xb", backtick.expand("\"a`xb\"", env));
        assertEquals("a\\", backtick.expand("\"a\\\"", env)); // \ does not escape the quote
        assertEquals("hello", backtick.expand("hello`", env)); // a trailing escape is dropped
        assertEquals(List.of("a b", "c"), backtick.expandWords("a` b c", env));
        // Patterns always use \ as their escape, whatever the Dockerfile's escape is.
        assertEquals("x", backtick.expand("${V#\\*}", Map.of("V", "*x")));
    }

    @Test
    void namesAndParameters() throws ShellExpansionException {
        Map<String, String> env = Map.of("KOREAN", "한국어", "한국", "k", "A_1", "v");
        assertEquals("v.", backslash.expand("$A_1.", env));
        assertEquals("k", backslash.expand("$한국", env)); // letters are Unicode letters, as in Go
        assertEquals("", backslash.expand("$KOREAN안녕", env));
        assertEquals("안녕", backslash.expand("$1안녕", env));
        assertEquals("$", backslash.expand("$", env));
        assertEquals("$ $/", backslash.expand("$ $/", env));
        assertEquals("@@", backslash.expand("$@@@", env));
        assertEquals("x", backslash.expand("\uFEFFx", env)); // Go's scanner skips a leading BOM
    }

    @Test
    void wordSplitting() throws ShellExpansionException {
        Map<String, String> env = Map.of("SPACED", " a  b ", "TABBED", "a\tb", "NBSP", "a\u00A0b", "FS", "a\u001Cb");
        assertEquals(List.of("a", "b"), backslash.expandWords("$SPACED", env));
        assertEquals(List.of(" a  b "), backslash.expandWords("\"$SPACED\"", env));
        assertEquals(List.of("x", "a", "b", "y"), backslash.expandWords("x $SPACED y", env));
        assertEquals(List.of("x", "a", "b", "y"), backslash.expandWords("x${SPACED}y", env));
        assertEquals(List.of("a", "b"), backslash.expandWords("$TABBED", env));
        // Go's unicode.IsSpace: no-break space splits, the ASCII file separator does not.
        assertEquals(List.of("a", "b"), backslash.expandWords("$NBSP", env));
        assertEquals(List.of("a\u001Cb"), backslash.expandWords("$FS", env));
        // Empty quotes make no word; an escaped blank joins.
        assertEquals(List.of("a", "b"), backslash.expandWords("a \"\" b", env));
        assertEquals(List.of(), backslash.expandWords("\"\"", env));
        assertEquals(List.of(), backslash.expandWords("  ", env));
        assertEquals(List.of("a b"), backslash.expandWords("a\\ b", env));
        // Blanks in a default value split too: the whole ${...} result is unquoted.
        assertEquals(List.of("a", "b"), backslash.expandWords("${UNSET:-a b}", env));
        // The single-word form keeps blanks.
        assertEquals("x  a  b  y", backslash.expand("x $SPACED y", env));
    }

    @Test
    void trackingReportsEveryNameLookedUp() throws ShellExpansionException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FOO", "xxx");
        env.put("BAR", "");
        env.put("DUMMY", "d");
        ShellWords.Expansion e = backslash.expandTracking("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", env);
        assertEquals("xxx  ccc", e.word());
        assertEquals(Set.of("FOO", "BAR", "BAZ"), e.referenced());
        assertEquals(Set.of(), backslash.expandTracking("x '$FOO' \\$BAR", env).referenced());
        // Inner words count, and so do positional/special parameters (never set).
        assertEquals(Set.of("A", "B", "1", "@"), backslash.expandTracking("${A:-${B}}$1$@", env).referenced());
    }

    @Test
    void processSplitsMatchedFromUnmatched() throws ShellExpansionException {
        Map<String, String> env = Map.of("VERSION", "v1.2.3", "TARGETOS", "linux", "TARGETARCH", "arm");
        ShellWords.Result r = backslash.process(
                "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz", env);
        assertEquals("something-v1.2.3.linux-arm.tar.gz", r.word());
        assertEquals(List.of("something-v1.2.3.linux-arm.tar.gz"), r.words());
        assertEquals(List.of("VERSION", "TARGETOS", "TARGETARCH"), List.copyOf(r.matched()));
        assertEquals(Set.of("TARGETVARIANT"), r.unmatched());
        // The word of ${X:+...} is expanded (and looked up) before X is.
        ShellWords.Result nested = backslash.process("${A:+$B}", Map.of("B", "b"));
        assertEquals(List.of("B"), List.copyOf(nested.matched()));
        assertEquals(List.of("B", "A"), List.copyOf(nested.referenced()));
    }

    @Test
    void substitutionsNestUpToTheLimit() throws Exception {
        int limit = ShellWords.MAX_SUBSTITUTION_DEPTH;
        assertEquals("deep", backslash.expand("${U:-".repeat(limit) + "deep" + "}".repeat(limit), ENV));
        assertEquals("deep", backslash.expand("\"${U:-".repeat(limit) + "deep" + "}\"".repeat(limit), ENV));
        for (String tooDeep : List.of("${U:-".repeat(limit + 1) + "}".repeat(limit + 1),
                "${FOO#${FOO%".repeat(limit) + "}}".repeat(limit), "\"${U:-".repeat(limit + 1))) {
            ShellExpansionException e = assertThrows(ShellExpansionException.class, () -> backslash.expand(tooDeep, ENV));
            assertTrue(e.limitExceeded());
            assertTrue(e.getMessage().endsWith(": syntax error: substitutions nested more than 100 levels deep"), e.getMessage());
        }
        assertTrue(!assertThrows(ShellExpansionException.class, () -> backslash.expand("${U:?}", ENV)).limitExceeded());
    }

    @Test
    void patternsMatchInLinearTimeWithGoSemantics() throws Exception {
        Map<String, String> env = Map.of("A", "a".repeat(5_000), "P", "one/two\nthree/four", "W", "ab-ab-ab");
        // *a*a...*b cannot match: a backtracking matcher tries exponentially many ways first.
        String hopeless = "*a".repeat(40) + "b";
        assertEquals("a".repeat(5_000), backslash.expand("${A#" + hopeless + "}", env));
        assertEquals("a".repeat(5_000), backslash.expand("${A%%" + hopeless + "}", env));
        assertEquals("a".repeat(5_000), backslash.expand("${A/" + hopeless + "/x}", env));
        assertEquals("", backslash.expand("${A##" + "*a".repeat(2_000) + "}", env));
        assertEquals("a".repeat(4_999), backslash.expand("${A#" + "*a".repeat(1) + "}", env));
        // * and ? stop at a newline, as Go's '.'; leftmost start, then the longest match.
        assertEquals("two\nthree/four", backslash.expand("${P##*/}", env));
        assertEquals("one/two\nthree", backslash.expand("${P%/*}", env));
        assertEquals("x\nthree/four", backslash.expand("${P/*/x}", env));
        assertEquals("x", backslash.expand("${W/a*b/x}", env));
        assertEquals("x-x-x", backslash.expand("${W//a?/x}", env));
        assertEquals("-ab-ab", backslash.expand("${W#*b}", env));
        assertEquals("ab-ab-", backslash.expand("${W%a*}", env));
        assertEquals("", backslash.expand("${W%%a*}", env));
    }
}
