package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log lines as {@code --debug} shows them, and what logging costs a command without it. */
@Integration
class LoggingTest {

    @TempDir
    Path tmp;

    private ExternalTool.Result probe(String mode, Path classLog) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ExternalTool.command(List.of(java, "-Xshare:off", "-Xlog:class+load=info:file=" + classLog, "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), LoggingProbe.class.getName(), mode))
                .runSuccessfully();
    }

    @Test
    void debugLinesCarryTheirTime() throws Exception {
        String err = probe("debug", tmp.resolve("classes.log")).stderr();
        assertTrue(err.lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[main\\] DEBUG dev\\.jbuild\\.cli\\.LoggingProbe - probe line")),
                err);
    }

    /** slf4j-simple makes its date format at start-up, whatever the level; the JDK's locale data behind it costs ~0.1 s. */
    @Test
    void withoutDebugNoDateFormatIsMade() throws Exception {
        Path classLog = tmp.resolve("classes.log");
        String err = probe("quiet", classLog).stderr();
        assertFalse(err.contains("probe line"), err);
        List<String> loaded = Files.readAllLines(classLog);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.slf4j.simple.SimpleLoggerConfiguration ")), "slf4j-simple started");
        // Loading SimpleDateFormat's class is the verifier's doing; making one loads the calendar and its symbols.
        assertFalse(loaded.stream().anyMatch(l -> l.contains(" java.util.GregorianCalendar ") || l.contains(" java.text.DateFormatSymbols ")),
                "a date format was made");
    }
}
