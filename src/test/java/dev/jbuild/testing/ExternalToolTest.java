package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

@Integration
class ExternalToolTest {

    @Test
    void capturesBothOutputsAndTheExitCode() {
        ExternalTool.Result result = ExternalTool.command("sh", "-c", "echo out; echo err >&2; exit 3").run();

        assertEquals(3, result.exitCode());
        assertEquals("out\n", result.stdout());
        assertEquals("err\n", result.stderr());
        assertFalse(result.succeeded());
    }

    @Test
    void aFailureMessageCarriesTheCommandLineTheExitCodeAndBothOutputs() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> ExternalTool.command("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 7").runSuccessfully());

        String message = failure.getMessage();
        assertTrue(message.contains("sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'"), message);
        assertTrue(message.contains("exit code: 7"), message);
        assertTrue(message.contains("to-stdout"), message);
        assertTrue(message.contains("to-stderr"), message);
    }

    @Test
    void aMissingToolFailsTheTestNamingTheFix() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> ExternalTool.require("jbuild-no-such-tool"));

        assertTrue(failure.getMessage().startsWith(
                "jbuild-no-such-tool is not installed: run ./scripts/test.sh as root"), failure.getMessage());
        assertThrows(AssertionFailedError.class, () -> ExternalTool.command("jbuild-no-such-tool").run());
    }

    @Test
    void findsToolsInSbinEvenWhenPathLacksIt() {
        // useradd lives in /usr/sbin, which an unprivileged user's PATH usually lacks.
        Path useradd = ExternalTool.require("useradd");

        assertTrue(Files.isExecutable(useradd));
        assertTrue(useradd.isAbsolute());
    }

    @Test
    void aHangingCommandFailsAtTheTimeoutWithWhatItPrinted() {
        long start = System.nanoTime();
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> ExternalTool.command("sh", "-c", "echo started; exec sleep 30")
                        .timeout(Duration.ofMillis(500)).run());

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
        assertTrue(failure.getMessage().contains("timed out"), failure.getMessage());
        assertTrue(failure.getMessage().contains("started"), failure.getMessage());
    }

    @Test
    void passesStdinEnvironmentAndWorkingDirectory(@TempDir Path dir) throws Exception {
        String stdout = ExternalTool.command("sh", "-c", "cat; echo \" $GREETING\"; pwd")
                .stdin("hello")
                .env("GREETING", "world")
                .directory(dir)
                .runSuccessfully()
                .stdout();

        assertEquals("hello world\n" + dir.toRealPath() + "\n", stdout);
    }

    @Test
    void withoutStdinTheCommandReadsEndOfFileInsteadOfBlocking() {
        assertEquals("", ExternalTool.command("cat").timeout(Duration.ofSeconds(10)).runSuccessfully().stdout());
    }

    @Test
    void quotesCommandLinesForAShell() {
        assertEquals("skopeo copy 'a b' 'it'\\''s' --x=y oci:/tmp/l:1",
                ExternalTool.shellQuoted(List.of("skopeo", "copy", "a b", "it's", "--x=y", "oci:/tmp/l:1")));
    }
}
