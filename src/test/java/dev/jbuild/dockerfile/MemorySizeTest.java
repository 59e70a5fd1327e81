package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * go-units v0.5.0's RAMInBytes ({@code --shm-size}, {@code RUN --mount=type=tmpfs,size=}): powers of 1024
 * whatever the spelling; the number is a Go float. The expected values are what BuildKit v0.11.6's vendored
 * go-units returns for the same text.
 */
class MemorySizeTest {

    @Test
    void memorySizesInPowersOf1024() {
        assertEquals(0, MemorySize.parse("0"));
        assertEquals(1234, MemorySize.parse("1234"));
        assertEquals(1234, MemorySize.parse("1234b"));
        assertEquals(64L << 20, MemorySize.parse("64m"));
        assertEquals(64L << 20, MemorySize.parse("64M"));
        assertEquals(64L << 20, MemorySize.parse("64mb"));
        assertEquals(64L << 20, MemorySize.parse("64MiB"));
        assertEquals(64L << 20, MemorySize.parse("64 m"));
        assertEquals(512L << 10, MemorySize.parse("512k"));
        assertEquals(1L << 30, MemorySize.parse("1g"));
        assertEquals(3L << 29, MemorySize.parse("1.5g"));
        assertEquals(2L << 40, MemorySize.parse("2t"));
        assertEquals(1L << 50, MemorySize.parse("1p"));
        assertEquals(1, MemorySize.parse("1.9"), "a fraction of a byte is dropped");
        assertEquals(1, MemorySize.parse("1 "), "go-units drops the space before an empty unit too");
        assertEquals(1000, MemorySize.parse("1e3"), "a Go float");
        assertEquals(5, MemorySize.parse("+5"));
        assertEquals(5, MemorySize.parse("5."));
        assertEquals(512L << 10, MemorySize.parse(".5m"));
        for (String bad : new String[] {"", "m", "-1", "-1m", "12x", "1mi", "1ib", "1bb", "1kbb", " 1", "0x10",
            "1,5g", "9999999p", "NaN", "1  m", "1.5.5"}) {
            assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(bad), bad);
        }
    }
}
