package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoPathsTest {

    /** Cases from Go's own path.Clean documentation and tests. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|.", "abc|abc", "abc/def|abc/def", "a/b/c|a/b/c", ".|.", "..|..", "../..|../..", "../../abc|../../abc",
        "/abc|/abc", "/|/", "abc/|abc", "abc/def/|abc/def", "a/b/c/|a/b/c", "./|.", "../|..", "/abc/|/abc",
        "abc//def//ghi|abc/def/ghi", "//abc|/abc", "///abc|/abc", "//abc//|/abc", "abc//|abc",
        "abc/./def|abc/def", "/./abc/def|/abc/def", "abc/.|abc",
        "abc/def/ghi/../jkl|abc/def/jkl", "abc/def/../ghi/../jkl|abc/jkl", "abc/def/..|abc", "abc/def/../..|.",
        "/abc/def/../..|/", "abc/def/../../..|..", "/abc/def/../../..|/", "abc/def/../../../ghi/jkl/../../../mno|../../mno",
        "abc/./../def|def", "abc//./../def|def", "abc/../../././../def|../../def", "!../../x|x", "!/|!"})
    void cleanAgreesWithGo(String path, String cleaned) {
        assertEquals(cleaned, GoPaths.clean(path));
    }
}
