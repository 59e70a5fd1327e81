package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stages of one build run as a DAG: independent ones at the same time, a stage after those it
 * depends on, a failure cancelling the rest, and the image the same whatever the order.
 * The RUN steps meet through a shared cache mount, so only concurrent execution can pass them.
 */
@Integration
class ParallelStagesTest {

    @TempDir
    Path temp;

    BuildFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        BusyboxImage busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        fixture = new BuildFixture(Files.createDirectories(temp.resolve("context")), temp.resolve("store"));
        fixture.namedContexts = Map.of("busybox", new NamedContext.OciLayout(busybox.layoutDirectory(), "1.0"));
        fixture.sourceDateEpoch = Instant.ofEpochSecond(1_700_000_000L);
    }

    /**
     * A RUN that creates /sync/{@code mine} in the cache mount {@code id}, then waits (at most
     * {@code tenths}/10 s) for /sync/{@code theirs}, then runs {@code then}.
     */
    private static String rendezvous(String id, String mine, String theirs, String tenths, String then) {
        return "RUN --mount=type=cache,id=" + id + ",target=/sync,sharing=shared touch /sync/" + mine
                + " && i=0 && while [ ! -e /sync/" + theirs + " ]; do i=$((i+1)); if [ $i -gt " + tenths
                + " ]; then echo gave up waiting for " + theirs + "; exit 7; fi; sleep 0.1; done && " + then;
    }

    private static String rendezvousDockerfile(String tenths) {
        return "FROM busybox AS a\n"
                + rendezvous("rendezvous", "a", "b", tenths, "echo a > /a.txt") + "\n"
                + "FROM busybox AS b\n"
                + rendezvous("rendezvous", "b", "a", tenths, "echo b > /b.txt") + "\n"
                + "FROM busybox\n"
                + "COPY --from=a /a.txt /\n"
                + "COPY --from=b /b.txt /\n";
    }

    private BuildFixture.Interval step(String stage, String textStart) {
        return fixture.intervals.values().stream()
                .filter(i -> i.stage().equals(stage) && i.text().startsWith(textStart))
                .findFirst().orElseThrow(() -> new AssertionError("no step " + textStart + " of " + stage + ": " + fixture.intervals));
    }

    @Test
    void independentStagesRunAtTheSameTime() throws Exception {
        BuildResult result = fixture.build(rendezvousDockerfile("600"));
        Map<String, String> text = new HashMap<>();
        fixture.tree(result, text);
        assertEquals("a\n", text.get("a.txt"));
        assertEquals("b\n", text.get("b.txt"));
        BuildFixture.Interval a = step("a", "RUN");
        BuildFixture.Interval b = step("b", "RUN");
        assertTrue(a.end() > 0 && b.end() > 0, "both finished");
        assertTrue(a.start() < b.end() && b.start() < a.end(), "the two RUN steps overlap: " + a + " " + b);
    }

    @Test
    void oneStageAtATimeCannotMeetTheRendezvous() throws Exception {
        // The check that the test above needs concurrency: run the stages one by one and the first waits in vain.
        fixture.parallelism = 1;
        BuildException failure = assertThrows(BuildException.class, () -> fixture.build(rendezvousDockerfile("20")));
        assertTrue(failure.getMessage().contains("gave up waiting"), failure.getMessage());
    }

    @Test
    void aStageStartsOnlyAfterTheStagesItUses() throws Exception {
        BuildResult result = fixture.build(TestResources.text(ParallelStagesTest.class, "aStageStartsOnlyAfterTheStagesItUses.Dockerfile"));
        BuildFixture.Interval slow = step("slow", "RUN");
        BuildFixture.Interval fast = step("fast", "RUN");
        BuildFixture.Interval copy = step("user", "COPY --from=slow");
        BuildFixture.Interval last = step("stage-3", "COPY --from=fast");
        assertTrue(copy.start() >= slow.end(), "COPY --from=slow waits for slow: " + slow + " " + copy);
        assertTrue(fast.start() < slow.end(), "fast does not wait for slow: " + slow + " " + fast);
        assertTrue(last.start() >= step("user", "RUN").end(), "FROM user waits for user");
        Map<String, String> text = new HashMap<>();
        fixture.tree(result, text);
        assertEquals("slow\n", text.get("seen.txt"));
        assertEquals("fast\n", text.get("fast.txt"));
    }

    @Test
    void aFailingStageCancelsItsSiblings() throws Exception {
        String marker = "jbuild-parallel-" + System.nanoTime();
        String dockerfile = "FROM busybox AS long\n"
                + "RUN --mount=type=cache,id=cancel,target=/sync,sharing=shared touch /sync/started && sleep 600 && echo "
                + marker + " > /x\n"
                + "FROM busybox AS broken\n"
                + rendezvous("cancel", "broken", "started", "600", "exit 3") + "\n"
                + "FROM busybox\n"
                + "COPY --from=long /x /\n"
                + "COPY --from=broken / /y\n";
        long started = System.nanoTime();
        BuildException failure = assertThrows(BuildException.class, () -> fixture.build(dockerfile));
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertTrue(seconds < 60, "the sleeping sibling is killed, not waited for: " + seconds + " s");
        assertTrue(failure.getMessage().contains("exit code: 3"), failure.getMessage());
        assertNotNull(failure.location());
        assertEquals(4, failure.location().startLine(), "the failing stage's RUN is reported");
        String processes = ExternalTool.command("ps", "-eo", "args").runSuccessfully().stdout();
        assertTrue(processes.lines().noneMatch(p -> p.contains(marker)), "the sibling's RUN is gone:\n" + processes);
        try (var tmp = Files.list(temp.resolve("store").resolve("tmp"))) {
            assertEquals(List.of(), tmp.toList(), "no scratch files are left");
        }
        try (var rootfs = Files.list(temp.resolve("store").resolve("rootfs"))) {
            assertTrue(rootfs.noneMatch(p -> p.getFileName().toString().startsWith(".partial")), "no half-unpacked layers");
        }
        // The store is consistent: the next build uses it, and the cache still answers.
        BuildResult next = fixture.build("FROM busybox\nRUN echo ok > /ok\n");
        assertNotNull(next.manifest());
        fixture.build("FROM busybox\nRUN echo ok > /ok\n");
        assertEquals(List.of("RUN echo ok > /ok"), fixture.cachedSteps);
    }

    @Test
    void theImageDoesNotDependOnTheOrderStagesFinishIn() throws Exception {
        fixture.cacheOptions = new CacheOptions(true, Set.of());
        fixture.file("in.txt", "input\n");
        String dockerfile = TestResources.text(ParallelStagesTest.class, "theImageDoesNotDependOnTheOrderStagesFinishIn.Dockerfile");
        fixture.buildArgs = Map.of("ONE_DELAY", "2");
        String oneLast = fixture.build(dockerfile).manifest().digest().toString();
        fixture.buildArgs = Map.of("TWO_DELAY", "2");
        String twoLast = fixture.build(dockerfile).manifest().digest().toString();
        fixture.parallelism = 1;
        fixture.buildArgs = Map.of();
        String sequential = fixture.build(dockerfile).manifest().digest().toString();
        assertEquals(oneLast, twoLast, "the same image whichever stage finishes last");
        assertEquals(oneLast, sequential, "the same image as one stage at a time");
    }
}
