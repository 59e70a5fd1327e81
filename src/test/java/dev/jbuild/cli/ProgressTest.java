package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.progress.ProgressPrinter;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch\nARG A=1\nCOPY a.txt /\nENV X=1\n");
    }

    private CliTest.Result build(String... options) {
        List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString(), "-t", "progress:1",
                "--build-arg", "SOURCE_DATE_EPOCH=0"));
        args.addAll(List.of(options));
        args.add(temp.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    /** Times and digests vary; a tar's size is fixed, a gzip size may vary by a few bytes with the zlib build. */
    private static String masked(String text) {
        return text.replaceAll("\\d+\\.\\ds", "T").replaceAll("sha256:[0-9a-f]{64}", "sha256:D")
                .replaceAll("layer [0-9a-f]{12}:", "layer L:").replaceAll("gzip \\d+ B", "gzip N B");
    }

    /**
     * BuildKit's plain view of {@code FROM scratch, ARG, COPY, ENV}: the one stage has no name, only
     * COPY is a step ({@code [1/1]}: metadata instructions are none), sizes in B/kB/MB.
     */
    @Test
    void plainIsOneLinePerEventWithoutEscapeCodes() {
        CliTest.Result result = build("--progress=plain");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("""
                #1 [1/1] COPY a.txt /
                #1 layer L: 2.0 kB, gzip N B, in T
                #1 DONE T
                writing image sha256:D (manifest sha256:D, 1 layer, 1.1 kB) in T, 0 of 1 steps cached
                naming to docker.io/library/progress:1
                """, masked(result.err()));
        CliTest.Result again = build("--progress=plain");
        assertEquals("""
                #1 [1/1] COPY a.txt /
                #1 CACHED
                writing image sha256:D (manifest sha256:D, 1 layer, 1.1 kB) in T, 1 of 1 steps cached
                naming to docker.io/library/progress:1
                """, masked(again.err()));
        assertFalse(again.err().contains("\u001b"));
    }

    /** A base's ONBUILD triggers are the first steps of the stage built on it, numbered with its own, as in BuildKit. */
    @Test
    void onbuildTriggersAreNumberedStepsOfTheStageThatRunsThem() throws Exception {
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch AS base\nONBUILD COPY a.txt /o\nONBUILD ENV Y=2\n"
                + "FROM base\nCOPY a.txt /b\n");
        CliTest.Result result = build("--progress=plain");
        assertEquals(0, result.exitCode(), result.err());
        List<String> headings = result.err().lines().filter(l -> l.matches("#\\d+ \\[.*")).toList();
        assertEquals(List.of("#1 [stage-1 1/2] ONBUILD COPY a.txt /o", "#2 [stage-1 2/2] COPY a.txt /b"), headings, result.err());
    }

    /** Stages with names keep them; several stages number their steps each. */
    @Test
    void plainNamesStagesOfAMultiStageBuild() throws Exception {
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch AS one\nCOPY a.txt /\nLABEL x=1\n"
                + "FROM scratch\nCOPY --from=one /a.txt /b\nWORKDIR /w\nCMD [\"/b\"]\n");
        CliTest.Result result = build("--progress=plain");
        assertEquals(0, result.exitCode(), result.err());
        List<String> headings = result.err().lines().filter(l -> l.matches("#\\d+ \\[.*")).toList();
        assertEquals(List.of("#1 [one 1/1] COPY a.txt /", "#2 [stage-1 1/2] COPY --from=one /a.txt /b",
                "#3 [stage-1 2/2] WORKDIR /w"), headings, result.err());
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
        assertEquals(List.of("step", "layer", "done", "result"), events);
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

    /** Long work (compressing, unpacking, pulling) prints bytes done in plain, from 2 s into a step and at most every 2 s. */
    @Test
    void plainShowsBytesOfLongWorkEveryTwoSeconds() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressPrinter plain = new ProgressPrinter(new PrintWriter(out, true), false, now::get);
        StepId copy = new StepId(1);
        long second = 1_000_000_000L;
        plain.stepStarted(copy, "", 1, 1, "COPY big /");
        now.addAndGet(second);
        plain.progress(copy, BuildListener.Work.COMPRESS, "layer", 10_000_000, 157_286_400);
        now.addAndGet(3 * second / 2);
        plain.progress(copy, BuildListener.Work.COMPRESS, "layer", 52_100_000, 157_286_400);
        now.addAndGet(second / 2);
        plain.progress(copy, BuildListener.Work.COMPRESS, "layer", 70_000_000, 157_286_400);
        now.addAndGet(2 * second);
        plain.progress(copy, BuildListener.Work.COMPRESS, "layer", 120_000_000, 157_286_400);
        plain.stepFinished(copy, Duration.ofMillis(5_000));
        StepId pull = new StepId(2);
        plain.stepStarted(pull, BuildListener.PULL, 0, 0, "pulling docker.io/library/busybox:1.36");
        now.addAndGet(3 * second);
        plain.progress(null, BuildListener.Work.PULL, "sha256:" + "ab".repeat(32), 3_000_000, 9_100_000);
        assertEquals("""
                #1 [1/1] COPY big /
                #1 compressing layer 52.1 MB / 157 MB
                #1 compressing layer 120 MB / 157 MB
                #1 DONE 5.0s
                #2 pulling docker.io/library/busybox:1.36
                #2 pulling sha256:abababababab 3.0 MB / 9.1 MB
                """, out.toString());
    }

    /** BuildKit's raw stream: SolveStatus objects, one per line, with vertexes, logs and BuildKit's field names. */
    @Test
    void rawjsonIsBuildKitsSolveStatusStream() throws Exception {
        CliTest.Result result = build("--progress=rawjson");
        assertEquals(0, result.exitCode(), result.err());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> vertexes = new ArrayList<>();
        List<String> logs = new ArrayList<>();
        for (String line : result.err().split("\n")) {
            JsonNode status = json.readTree(line);
            assertTrue(status.isObject(), line);
            for (Iterator<String> keys = status.fieldNames(); keys.hasNext(); ) {
                assertTrue(List.of("vertexes", "statuses", "logs", "warnings").contains(keys.next()), line);
            }
            status.path("vertexes").forEach(vertexes::add);
            for (JsonNode log : status.path("logs")) {
                assertEquals(vertexes.get(0).get("digest").asText(), log.get("vertex").asText(), line);
                assertEquals(1, log.get("stream").asInt());
                logs.add(new String(Base64.getDecoder().decode(log.get("data").asText()), StandardCharsets.UTF_8));
            }
        }
        assertEquals(2, vertexes.size(), "started, then completed: " + result.err());
        JsonNode started = vertexes.get(0);
        JsonNode completed = vertexes.get(1);
        assertTrue(started.get("digest").asText().matches("sha256:[0-9a-f]{64}"), started.toString());
        assertEquals("[1/1] COPY a.txt /", started.get("name").asText());
        Instant start = Instant.parse(started.get("started").asText());
        assertFalse(started.has("completed"));
        assertEquals(started.get("digest"), completed.get("digest"));
        assertFalse(Instant.parse(completed.get("completed").asText()).isBefore(start));
        assertFalse(completed.has("cached") || completed.has("error"), completed.toString());
        assertEquals(1, logs.size());
        assertTrue(logs.get(0).matches("layer [0-9a-f]{12}: 2\\.0 kB, gzip \\d+ B, in \\d+\\.\\ds\n"), logs.get(0));

        JsonNode cached = null;
        CliTest.Result again = build("--progress=rawjson");
        for (String line : again.err().split("\n")) {
            for (JsonNode vertex : json.readTree(line).path("vertexes")) {
                cached = vertex;
            }
        }
        assertTrue(cached != null && cached.get("cached").asBoolean(), again.err());
    }

    /** A failed build ends the vertex it was running with its error, before the error text. */
    @Test
    void rawjsonEndsTheFailedStepWithItsError() throws Exception {
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch\nCOPY missing.txt /\n");
        CliTest.Result result = build("--progress=rawjson");
        assertEquals(1, result.exitCode(), result.err());
        ObjectMapper json = new ObjectMapper();
        String[] lines = result.err().split("\n");
        JsonNode last = json.readTree(lines[1]).get("vertexes").get(0);
        assertTrue(last.get("error").asText().contains("missing.txt"), result.err());
        assertTrue(last.has("completed"));
        assertTrue(lines[2].startsWith("Dockerfile:2") || lines[2].startsWith("error:"), "then the error, as usual: " + result.err());
    }

    /**
     * Two stages whose RUNs print while the other one runs (they meet through a cache mount, so
     * their output interleaves): every line carries the #N of its own step, in plain and json.
     */
    @Integration
    @Test
    void outputOfParallelStagesIsAttributedToItsStep() throws Exception {
        BusyboxImage busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
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
        Map<String, String> headings = new HashMap<>();
        Pattern heading = Pattern.compile("#(\\d+) \\[(\\w+) \\d+/\\d+\\] .*");
        Map<String, String> stageOfLine = new HashMap<>();
        for (String line : result.err().split("\n")) {
            Matcher m = heading.matcher(line);
            if (m.matches()) {
                headings.put(m.group(1), m.group(2));
            } else if (line.matches("#\\d+ (left|right)-[12]")) {
                String number = line.substring(1, line.indexOf(' '));
                stageOfLine.put(line.substring(line.indexOf(' ') + 1), headings.get(number));
            }
        }
        assertEquals(Map.of("left-1", "left", "left-2", "left", "right-1", "right", "right-2", "right"),
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
        Map<Integer, String> stageOfStep = new HashMap<>();
        Set<Integer> finished = new HashSet<>();
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
