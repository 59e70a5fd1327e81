package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the last-resort handler prints for exceptions no command worded. */
class ErrorReporterTest {

    /** A full disk that escaped every command's wording (inside an unchecked wrapper) is an error, not an internal one. */
    @Test
    void aFullDiskThatReachesTheHandlerUnwordedNamesTheStore() {
        CommandLine commandLine = new CommandLine(new JbuildCommand());
        CommandLine.ParseResult parsed = commandLine.parseArgs("--root", "/srv/store");
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        RuntimeException escaped = new UncheckedIOException(new IOException("No space left on device"));

        int code = new ErrorReporter().handleExecutionException(escaped, commandLine, parsed);

        assertEquals(ExitCodes.BUILD_FAILED, code);
        // The first line: a stack trace follows only under JBUILD_DEBUG=1.
        assertEquals("error: no space left on device writing " + Path.of("/srv/store") + " (store: /srv/store);"
                + " free space or choose another store with --root", err.toString().lines().findFirst().orElse(""));
    }
}
