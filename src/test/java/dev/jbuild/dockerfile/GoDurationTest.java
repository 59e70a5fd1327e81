package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void acceptsGoDurationSyntax() throws Exception {
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("-0"));
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("5s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
        assertEquals(Duration.ofSeconds(1), GoDuration.parse("1.s"));
        assertEquals(Duration.ofNanos(1_001_001), GoDuration.parse("1ms1us1ns"));
        assertEquals(Duration.ofNanos(2000), GoDuration.parse("1\u00b5s1\u03bcs"));
        assertEquals(Duration.ofSeconds(-2), GoDuration.parse("-2s"));
        assertEquals(Duration.ofSeconds(3), GoDuration.parse("+3s"));
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), GoDuration.parse("9223372036854775807ns"));
        assertEquals(Duration.ofNanos(Long.MIN_VALUE), GoDuration.parse("-9223372036854775808ns"));
        assertEquals(Duration.ofNanos(1), GoDuration.parse("1.000000000000000000000000001ns"));
    }

    @Test
    void rejectsWhatGoRejects() {
        assertMessage("time: invalid duration \"\"", "");
        assertMessage("time: invalid duration \"-\"", "-");
        assertMessage("time: invalid duration \".s\"", ".s");
        assertMessage("time: invalid duration \"s\"", "s");
        assertMessage("time: unknown unit \"s \" in duration \"1s \"", "1s ");
        assertMessage("time: missing unit in duration \"10\"", "10");
        assertMessage("time: unknown unit \"sec\" in duration \"1sec\"", "1sec");
        assertMessage("time: invalid duration \"9223372036854775808ns\"", "9223372036854775808ns");
        assertMessage("time: invalid duration \"3000000h\"", "3000000h");
    }

    private static void assertMessage(String message, String input) {
        assertEquals(message, assertThrows(SyntaxProblem.class, () -> GoDuration.parse(input)).getMessage());
    }
}
