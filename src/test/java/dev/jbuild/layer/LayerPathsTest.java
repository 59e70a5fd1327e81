package dev.jbuild.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerPathsTest {

    /** Parents first, a subtree before its next sibling, names by bytes: not by UTF-16 units, not '?' for raw bytes. */
    @Test
    void orderIsComponentWiseByteOrder() {
        List<String> expected = List.of(
                "a",
                "a/b",
                "a/b/c",
                "a-c", // '-' (0x2d) after the subtree of "a" although it is below '/' (0x2f)
                "a.b",
                "a0",
                "\uDC80", // the raw byte 0x80
                "\uDC81",
                "\u00e9", // C3 A9
                "\uFFFD", // EF BF BD: before U+1F600, which UTF-16 order would put first (D83D < FFFD)
                "\uD83D\uDE00", // F0 9F 98 80
                "\uDCFF"); // the raw byte 0xff
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(1));
        shuffled.sort(LayerPaths.ORDER);
        assertEquals(expected, shuffled);
    }

    /** The sandbox's differ keys an opaque marker "dir\0opq": right after "dir", before anything below or beside it. */
    @Test
    void nulSortsBeforeTheSlash() {
        List<String> expected = List.of("dir", "dir\0opq", "dir/a", "dir-x");
        List<String> sorted = new ArrayList<>(List.of("dir-x", "dir/a", "dir\0opq", "dir"));
        sorted.sort(LayerPaths.ORDER);
        assertEquals(expected, sorted);
    }

    /** Against a plain definition, over random paths that mix ASCII, separators, multi-byte text and raw bytes. */
    @Test
    void orderAgreesWithComparingComponentBytes() {
        String[] alphabet = {"a", "b", "-", ".", "/", "\u00e9", "\uFFFD", "\uD83D\uDE00", "\uDC80", "\uDCFF", "~"};
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            String a = randomPath(random, alphabet);
            String b = randomPath(random, alphabet);
            assertEquals(Integer.signum(byComponents(a, b)), Integer.signum(LayerPaths.ORDER.compare(a, b)), a + " vs " + b);
        }
    }

    private static String randomPath(Random random, String[] alphabet) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(6); i >= 0; i--) {
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    private static int byComponents(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Arrays.compareUnsigned(RawNames.encode(x[i]), RawNames.encode(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    @Test
    void relativeAndAbsoluteFormsOfOnePath() {
        String[][] cases = {
            // path, relative form, absolute form
            {"", "", "/"},
            {"/", "", "/"},
            {"a/b", "a/b", "/a/b"},
            {"/a/b", "a/b", "/a/b"},
            {"a/b/", "a/b", "/a/b"},
            {"//a//b", "a/b", "/a/b"},
            {"./a/./b/.", "a/b", "/a/b"},
            {"/a/../../b", "b", "/b"},
            {"..", "", "/"},
            {"a/..b/.c", "a/..b/.c", "/a/..b/.c"},
            {"\uDC80/x", "\uDC80/x", "/\uDC80/x"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], LayerPaths.relative(c[0]), c[0]);
            assertEquals(c[2], LayerPaths.absolute(c[0]), c[0]);
            assertEquals(c[1], LayerPaths.relative(c[2]), "relative of absolute " + c[2]);
            assertEquals(c[2], LayerPaths.absolute(c[1]), "absolute of relative " + c[1]);
        }
    }
}
