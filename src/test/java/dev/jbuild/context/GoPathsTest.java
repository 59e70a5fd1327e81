package dev.jbuild.context;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.layer.LayerPaths;
import java.util.Random;
import org.junit.jupiter.api.Test;
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

    /** The tree form of a path is Go's path.Clean("/" + p) (what BuildKit's filepath.Join("/", p) gives). */
    @Test
    void layerPathsAbsoluteIsGoCleanOfTheRootedPath() {
        String[] parts = {"a", "b", ".", "..", "", "/", "//", ".x", "..y", "\u00e9"};
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder path = new StringBuilder();
            for (int i = random.nextInt(7); i > 0; i--) {
                path.append(parts[random.nextInt(parts.length)]);
                if (random.nextBoolean()) {
                    path.append('/');
                }
            }
            String p = path.toString();
            String expected = GoPaths.clean("/" + p);
            assertEquals(expected, LayerPaths.absolute(p), p);
            assertEquals(expected.substring(1), LayerPaths.relative(p), p);
        }
    }
}
