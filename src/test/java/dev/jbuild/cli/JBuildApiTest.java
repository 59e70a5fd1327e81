package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.api.BuildEvent;
import dev.jbuild.api.BuildFailedException;
import dev.jbuild.api.BuildOutcome;
import dev.jbuild.api.CheckOutcome;
import dev.jbuild.api.DockerfileException;
import dev.jbuild.api.Finding;
import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.InvalidBuildException;
import dev.jbuild.api.JBuild;
import dev.jbuild.image.Digest;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API ({@code dev.jbuild.api}) from outside its package, as a library user calls it: a real build
 * with RUN, a build argument and a secret, pushed to a real registry; its progress against the CLI's for the
 * same build; its typed exceptions; {@code check()}. In the CLI's test package so it can run the CLI too.
 */
@Integration
class JBuildApiTest {

    private static final String DOCKERFILE = """
            FROM busybox
            ARG GREETING
            RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = s3cret && echo "$GREETING" > /greeting
            COPY a.txt /a.txt
            """;

    @TempDir
    Path temp;

    Path context;
    BusyboxImage busybox;
    Path secret;

    @BeforeEach
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        secret = Files.writeString(temp.resolve("token"), "s3cret");
    }

    private String busyboxContext() {
        return "oci-layout://" + busybox.layoutDirectory() + ":1.0";
    }

    private ImageBuild build(String dockerfile, String store) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return JBuild.build(context).store(temp.resolve(store)).buildContext("busybox", busyboxContext());
    }

    @Test
    void buildsPushesAndReportsAsTheCliDoes() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/app", "1");
            List<String> progress = Collections.synchronizedList(new ArrayList<>());
            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildOutcome outcome = build(DOCKERFILE, "api-store")
                    .tag(image)
                    .buildArg("GREETING", "hello")
                    .secretFile("token", secret)
                    .push(true)
                    .output("type=local,dest=" + temp.resolve("out"))
                    .progress(progress::add)
                    .listener(events::add)
                    .run();

            assertEquals("hello\n", Files.readString(temp.resolve("out/greeting")), "the RUN saw the build argument and the secret");
            String served = servedDigest(registry, "team/app", "1");
            assertEquals(served, outcome.manifestDigest());
            assertEquals(List.of(image), outcome.tags());
            String pushed = registry.host() + "/team/app@" + served;
            assertEquals(List.of(pushed), outcome.pushed());
            assertTrue(outcome.imageId().startsWith("sha256:"), outcome.imageId());
            assertEquals(2, outcome.steps(), "RUN and COPY");

            // The same build by the CLI, on a store of its own so that it runs its steps too.
            Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
            CliTest.Result cli = CliTest.run("build", "--root", temp.resolve("cli-store").toString(), "--progress=plain",
                    "--build-context", "busybox=" + busyboxContext(), "--build-arg", "GREETING=hello",
                    "--secret", "id=token,src=" + secret, "-t", registry.reference("team/app", "cli"), "--push",
                    context.toString());
            assertEquals(0, cli.exitCode(), cli.err());
            List<String> apiSteps = stepLines(progress);
            assertFalse(apiSteps.isEmpty(), String.join("\n", progress));
            assertEquals(stepLines(cli.err().lines().toList()), apiSteps);
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("writing image " + outcome.imageId())), String.join("\n", progress));
            assertTrue(progress.contains("pushed " + pushed), String.join("\n", progress));

            List<BuildEvent.StepStarted> started = events.stream().filter(BuildEvent.StepStarted.class::isInstance)
                    .map(BuildEvent.StepStarted.class::cast).toList();
            assertEquals(apiSteps.stream().filter(l -> l.matches("#\\d+ (DONE|CACHED)")).count(), started.size(), events.toString());
            assertTrue(started.stream().anyMatch(s -> s.text().startsWith("RUN ")), events.toString());
            assertTrue(events.contains(new BuildEvent.Pushed(pushed)), events.toString());
            assertEquals(new BuildEvent.Done(outcome), events.get(events.size() - 1));
        }
    }

    /** Interrupting the thread that runs a build stops it, and the exception says so (the CLI's exit code 130). */
    @Test
    void anInterruptedBuildSaysItWasInterrupted() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        ImageBuild build = build("FROM busybox\nRUN true\nRUN echo started && sleep 30\n", "interrupt-store")
                .listener(event -> {
                    if (event instanceof BuildEvent.Output output && output.line().contains("started")) {
                        running.countDown();
                    }
                });
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                build.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        thread.start();
        assertTrue(running.await(60, java.util.concurrent.TimeUnit.SECONDS), "the RUN started");
        thread.interrupt();
        thread.join(30_000);
        assertFalse(thread.isAlive(), "the build stopped");
        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, thrown.get());
        assertTrue(failed.interrupted(), failed.getMessage());
    }

    @Test
    void failuresAreTypedWithTheirLine() throws Exception {
        DockerfileException syntax = assertThrows(DockerfileException.class,
                () -> build("FROM busybox\nRUN true\nFOO bar\n", "store").run());
        assertEquals(3, syntax.line());
        assertTrue(syntax.report().get(0).startsWith("Dockerfile:3"), syntax.report().toString());

        BuildFailedException failed = assertThrows(BuildFailedException.class,
                () -> build("FROM busybox\nRUN true\nRUN exit 3\n", "store").run());
        assertEquals(3, failed.line());
        assertEquals("RUN exit 3", failed.step());
        assertFalse(failed.interrupted());

        InvalidBuildException invalid = assertThrows(InvalidBuildException.class,
                () -> build("FROM busybox\n", "store").cacheFrom("type=s3,bucket=b").run());
        CliTest.Result cli = CliTest.run("build", "--root", temp.resolve("store").toString(), "--cache-from", "type=s3,bucket=b",
                context.toString());
        assertEquals(ExitCodes.USAGE, cli.exitCode());
        assertEquals("jbuild: " + invalid.getMessage(), cli.err().lines().findFirst().orElseThrow());
    }

    @Test
    void checkReturnsTheFindingsAndTheCliPrintsThem() throws Exception {
        String dockerfile = "FROM busybox as Build\nRUN true\n";
        CheckOutcome outcome = build(dockerfile, "store").check();
        List<String> rules = outcome.findings().stream().map(Finding::rule).toList();
        assertTrue(rules.contains("StageNameCasing") && rules.contains("FromAsCasing"), rules.toString());
        Finding casing = outcome.findings().stream().filter(f -> f.rule().equals("StageNameCasing")).findFirst().orElseThrow();
        assertEquals(1, casing.line());
        assertNotNull(casing.url());
        CliTest.Result cli = CliTest.run("build", "--root", temp.resolve("store").toString(), "--check",
                "--build-context", "busybox=" + busyboxContext(), context.toString());
        assertEquals(1, cli.exitCode(), cli.err());
        assertEquals(cli.out(), outcome.report());

        assertTrue(build("FROM busybox AS build\nRUN true\n", "store").check().findings().isEmpty());
        DockerfileException unknownStage = assertThrows(DockerfileException.class,
                () -> build(dockerfile, "store").target("nowhere").check());
        assertInstanceOf(CheckOutcome.class, unknownStage.checkOutcome());
        assertFalse(unknownStage.checkOutcome().findings().isEmpty());
    }

    /** Two builds at once on one store, as a library's threads may run them; neither prints to the process's streams. */
    @Test
    void buildsRunConcurrentlyOnOneStoreAndPrintNothing() throws Exception {
        Path second = Files.createDirectories(temp.resolve("second"));
        Files.writeString(second.resolve("Dockerfile"), "FROM busybox as Second\nRUN echo two > /two\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo one > /one\n");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        PrintStream capture = new PrintStream(printed, true);
        System.setOut(capture);
        System.setErr(capture);
        List<BuildOutcome> outcomes;
        try {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<BuildOutcome> one = pool.submit(() -> JBuild.build(context).store(temp.resolve("shared"))
                        .buildContext("busybox", busyboxContext()).output("type=local,dest=" + temp.resolve("out-one")).run());
                Future<BuildOutcome> two = pool.submit(() -> JBuild.build(second).store(temp.resolve("shared"))
                        .buildContext("busybox", busyboxContext()).output("type=local,dest=" + temp.resolve("out-two")).run());
                outcomes = List.of(one.get(), two.get());
            } finally {
                pool.shutdown();
            }
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        assertEquals("", printed.toString());
        assertEquals("one\n", Files.readString(temp.resolve("out-one/one")));
        assertEquals("two\n", Files.readString(temp.resolve("out-two/two")));
        assertTrue(outcomes.get(0).warnings().isEmpty(), outcomes.get(0).warnings().toString());
        // The second's warnings are in its outcome, not on standard error.
        assertTrue(outcomes.get(1).warnings().stream().anyMatch(w -> "StageNameCasing".equals(w.rule())),
                outcomes.get(1).warnings().toString());
    }

    @Test
    void anImageBuildRunsOnce() throws Exception {
        ImageBuild once = build("FROM busybox\n", "store");
        once.check();
        assertThrows(IllegalStateException.class, once::run);
    }

    /** The step lines of plain progress, without their times: {@code #2 [1/2] RUN ...}, {@code #2 DONE}, {@code #2 CACHED}. */
    private static List<String> stepLines(List<String> lines) {
        List<String> steps = new ArrayList<>();
        for (String line : lines) {
            if (line.matches("#\\d+ \\[.*")) {
                steps.add(line);
            } else if (line.matches("#\\d+ (DONE .*|CACHED)")) {
                steps.add(line.replaceAll(" DONE .*", " DONE"));
            }
        }
        return steps;
    }

    /** The digest of what the registry serves for {@code repository:tag}: the sha256 of its bytes. */
    private static String servedDigest(LocalRegistry registry, String repository, String tag) throws Exception {
        HttpResponse<byte[]> response = registry.httpClient().send(HttpRequest.newBuilder(
                URI.create(registry.baseUri() + "/v2/" + repository + "/manifests/" + tag))
                .header("Accept", String.join(",", BusyboxImage.INDEX_MEDIA_TYPE, BusyboxImage.MANIFEST_MEDIA_TYPE,
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return Digest.of(response.body()).toString();
    }
}
