package dev.jbuild.engine.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileModeTest {

    @ParameterizedTest(name = "{0} on {1} (dir={2}) = {3}")
    @CsvSource({
        "755, 644, false, 755",
        "0600, 777, false, 600",
        "4755, 644, false, 4755",
        "+x, 644, false, 755",
        "u+x, 644, false, 744",
        "go-w, 666, false, 644",
        "'u=rwx,go=rx', 600, false, 755",
        "a=r, 777, false, 444",
        "o=u, 750, false, 757",
        "a+X, 644, false, 644",
        "a+X, 744, false, 755",
        "a+X, 644, true, 755",
        "u+s, 755, false, 4755",
        "+t, 755, true, 1755",
        "'u+w,g-r', 444, false, 604",
    })
    void appliesLikeChmod(String spec, String current, boolean directory, String expected) {
        assertEquals(Integer.parseInt(expected, 8), FileMode.parse(spec).applyTo(Integer.parseInt(current, 8), directory));
    }

    @ParameterizedTest
    @CsvSource({"88", "12345", "u+q", "z=r", "u", "''", "'u+x,'"})
    void rejectsWhatChmodRejects(String spec) {
        assertThrows(IllegalArgumentException.class, () -> FileMode.parse(spec));
    }
}
