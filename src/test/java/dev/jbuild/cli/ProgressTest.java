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

    /**
     * Two stages whose RUNs print while the other one runs (they meet through a cache mount, so
     * their output interleaves): every line carries the #N of its own step, in plain and json.
     */
    @Test
    void outputOfParallelStagesIsAttributedToItsStep() throws Exception {
        dev.jbuild.testing.BusyboxImage busybox = dev.jbuild.testing.BusyboxImage.write(temp.resolve("busybox"), "1.0");
        Path context = Files.createDirectories(temp.resolve("parallel"));
        String wait = " && i=0 && while [ ! -e /sync/%s ]; do i=$((i+1)); [ $i -gt 600 ] && exit 7; sleep 0.1; done";
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox AS left\n"
                + "RUN --mount=type=cache,id=meet,target=/sync echo left-1 && touch /sync/left" + wait.formatted("right")
                + " && echo left-2 > /l && cat /l\n"
                + "FROM busybox AS right\n"
                + "RUN --mount=type=cache,id=meet,target=/sync echo right-1 && touch /sync/right" + wait.formatted("left")
                + " && echo right-2 > /r && cat /r\n"
                + "FROM busybox\nCOPY --from=left /l /\nCOPY --from=right /r /\n");
        CliTest.Result result = CliTest.run("--root", temp.resolve("store").toString(), "--build-context",
                "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "--progress=plain", context.toString());
        assertEquals(0, result.exitCode(), result.err());
        java.util.Map<String, String> headings = new java.util.HashMap<>();
        java.util.regex.Pattern heading = java.util.regex.Pattern.compile("#(\\d+) \\[(\\w+) \\d+/\\d+\\] .*");
        java.util.Map<String, String> stageOfLine = new java.util.HashMap<>();
        for (String line : result.err().split("\n")) {
            java.util.regex.Matcher m = heading.matcher(line);
            if (m.matches()) {
                headings.put(m.group(1), m.group(2));
            } else if (line.matches("#\\d+ (left|right)-[12]")) {
                String number = line.substring(1, line.indexOf(' '));
                stageOfLine.put(line.substring(line.indexOf(' ') + 1), headings.get(number));
            }
        }
        assertEquals(java.util.Map.of("left-1", "left", "left-2", "left", "right-1", "right", "right-2", "right"),
                stageOfLine, result.err());
        String err = result.err();
        // Output lines, not the headings (which quote the commands).
        assertTrue(err.indexOf(" right-1\n") < err.indexOf(" left-2\n") && err.indexOf(" left-1\n") < err.indexOf(" right-2\n"),
                "the two steps' output interleaves: " + err);

        CliTest.Result json = CliTest.run("--root", temp.resolve("store").toString(), "--build-context",
                "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0", "--progress=json", "--no-cache",
                context.toString());
        assertEquals(0, json.exitCode(), json.err());
        ObjectMapper mapper = new ObjectMapper();
        java.util.Map<Integer, String> stageOfStep = new java.util.HashMap<>();
        java.util.Set<Integer> finished = new java.util.HashSet<>();
        int logs = 0;
        for (String line : json.err().split("\n")) {
            JsonNode event = mapper.readTree(line);
            int step = event.path("step").asInt();
            switch (event.get("event").asText()) {
                case "step" -> stageOfStep.put(step, event.get("stage").asText());
                case "done", "cached" -> finished.add(step);
                case "log" -> {
                    String text = event.get("line").asText();
                    if (text.matches("(left|right)-[12]")) {
                        assertEquals(text.substring(0, text.indexOf('-')), stageOfStep.get(step), line);
                        logs++;
                    }
                }
                default -> { }
            }
        }
        assertEquals(4, logs, json.err());
        assertEquals(stageOfStep.keySet(), finished, "every step ends with its own done event");
    }
}
