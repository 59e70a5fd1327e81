package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each --progress mode prints for the same small build. */
class ProgressTest {

    @TempDir
    Path temp;

    @BeforeEach
    void context() throws Exception {
        Files.writeString(temp.resolve("a.txt"), "a\n");
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\nENV X=1\n");
    }

    private CliTest.Result build(String... options) {
        List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString(), "-t", "progress:1",
                "--build-arg", "SOURCE_DATE_EPOCH=0"));
        args.addAll(List.of(options));
        args.add(temp.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    private static String masked(String text) {
        return text.replaceAll("layer [0-9a-f]{12}: .*", "layer L").replaceAll("\\d+\\.\\ds", "T").replaceAll("sha256:[0-9a-f]{64}", "sha256:D").replaceAll("\\d+(\\.\\d)? (B|kB)", "S");
    }

    @Test
    void plainIsOneLinePerEventWithoutEscapeCodes() {
        CliTest.Result result = build("--progress=plain");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("""
                #1 [stage-0 1/2] COPY a.txt /
                #1 layer L
                #1 DONE T
                #2 [stage-0 2/2] ENV X=1
                #2 DONE T
                writing image sha256:D (manifest sha256:D, 1 layers, S) in T, 0 of 2 steps cached
                naming to docker.io/library/progress:1
                """, masked(result.err()));
        CliTest.Result again = build("--progress=plain");
        assertTrue(masked(again.err()).contains("#1 [stage-0 1/2] COPY a.txt /\n#1 CACHED\n"), again.err());
        assertFalse(again.err().contains("\u001b"));
    }

    @Test
    void jsonIsOneEventObjectPerLine() throws Exception {
        CliTest.Result result = build("--progress=json");
        assertEquals(0, result.exitCode(), result.err());
        ObjectMapper json = new ObjectMapper();
        List<String> events = new ArrayList<>();
        JsonNode last = null;
        for (String line : result.err().split("\n")) {
            last = json.readTree(line);
            events.add(last.get("event").asText());
        }
        assertEquals(List.of("step", "log", "done", "step", "done", "result"), events);
        assertEquals("COPY a.txt /", json.readTree(result.err().split("\n")[0]).get("text").asText());
        assertEquals(List.of("docker.io/library/progress:1"), json.convertValue(last.get("tags"), List.class));
        assertTrue(last.get("imageId").asText().startsWith("sha256:"));
    }

    @Test
    void quietPrintsOnlyTheImageId() {
        CliTest.Result result = build("--progress=quiet");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().strip().matches("sha256:[0-9a-f]{64}"), result.out());
        assertEquals("", result.err());
    }

    @Test
    void autoOnATerminalRedrawsAStatusLine() throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String command = ExternalTool.shellQuoted(List.of(java, "-cp", classpath, "dev.jbuild.cli.Main", "--root",
                temp.resolve("tty-store").toString(), temp.toString()));
        // script(1) gives the command a pseudo-terminal, as an interactive shell would.
        ExternalTool.Result result = ExternalTool.command("script", "-qec", command, "/dev/null")
                .env("TERM", "xterm").withoutEnv("CI").runSuccessfully();
        assertTrue(result.stdout().contains("\r\u001b[K"), "the status line is redrawn: " + result.stdout());
        assertTrue(result.stdout().contains("#1 [stage-0 1/2] COPY a.txt /  "), result.stdout());
    }
}
