package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoGlobTest {

    /** Cases from Go's filepath.Match behaviour (a malformed pattern matches nothing). */
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "abc|abc|true",
        "*|abc|true",
        "*c|abc|true",
        "a*|a|true",
        "a*|abc|true",
        "a*b*c*d*e*|axbxcxdxe|true",
        "a*b*c*d*e*|axbxcxdx|false",
        "a*b?c*x|abxbbxdbxebxczzx|true",
        "a*b?c*x|abxbbxdbxebxczzy|false",
        "ab[c]|abc|true",
        "ab[b-d]|abc|true",
        "ab[e-g]|abc|false",
        "ab[^c]|abc|false",
        "ab[^b-d]|abc|false",
        "ab[^e-g]|abc|true",
        "a\\*b|a*b|true",
        "a\\*b|ab|false",
        "a?b|a☺b|true",
        "a[^a]b|a☺b|true",
        "a???b|a☺b|false",
        "[a-ζ]*|α|true",
        "*[a-ζ]|A|false",
        "[\\]a]|]|true",
        "[\\-]|-|true",
        "[x\\-]|z|false",
        "[]a]|]|false",
        "[-]|-|false",
        "[x-]|x|false",
        "\\|a|false",
        "[a-b-c]|a|false",
        "[|a|false",
        "[^|a|false",
        "a[|a|false",
        "*x|xxx|true",
        "**|anything|true",
        "*.txt|a.txt|true",
        "*.txt|a.txt.bak|false",
        "[a-c]*|beta|true",
        "[a-c]*|delta|false",
        "?|ab|false",
    })
    void matchesLikeGo(String pattern, String name, boolean expected) {
        assertEquals(expected, GoGlob.matches(pattern, name));
    }

    @ParameterizedTest(name = "{0} has wildcards: {1}")
    @CsvSource(delimiter = '|', value = {
        "a.txt|false",
        "*.txt|true",
        "file?|true",
        "[ab]|true",
        "a\\*b|false",
        "dir/sub|false",
        "dir/*/x|true",
    })
    void recognisesWildcards(String s, boolean expected) {
        assertEquals(expected, GoGlob.hasWildcards(s));
    }
}
