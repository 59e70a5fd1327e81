package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate jbuild processes on one fresh store at the same time, as on a CI machine running several
 * jobs: builds with RUN from one registry base (each unpacks the same layer chain and races to
 * rename it into place), a pull of that base, a push, and a prune meanwhile. Every one must
 * succeed, and the store must be whole afterwards.
 */
@Integration
class ConcurrentStoreTest {

    static final int BUILDS = 3;

    @TempDir
    Path temp;

    @Test
    void buildsPullPushAndPruneAtOnceAllSucceed() throws Exception {
        Path store = temp.resolve("store");
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String base = BusyboxImage.write(temp.resolve("busybox"), "1.0").pushTo(registry);
            // Something to push, put into the store before the others start (no RUN: nothing unpacked).
            Path pushContext = Files.createDirectories(temp.resolve("push-context"));
            Files.writeString(pushContext.resolve("Dockerfile"), "FROM scratch\nCOPY Dockerfile /d\n");
            CliTest.Result prepared = CliTest.run("--root", store.toString(), "build", "-q", "-t", "pushme:1",
                    pushContext.toString());
            assertEquals(0, prepared.exitCode(), prepared.err());

            Map<String, List<String>> commands = new LinkedHashMap<>();
            for (int i = 0; i < BUILDS; i++) {
                Path context = Files.createDirectories(temp.resolve("context" + i));
                Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\nRUN echo " + i + " > /n && cat /n\n");
                commands.put("build " + i, List.of("build", "--progress=plain", "-t", "built:" + i, context.toString()));
            }
            commands.put("pull", List.of("pull", base));
            String pushed = registry.reference("team/pushed", "1");
            commands.put("push", List.of("push", "pushme:1", pushed));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            Map<String, Process> running = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> command : commands.entrySet()) {
                running.put(command.getKey(), start(store, command.getKey(), command.getValue()));
            }
            // The collection starts while the builds use the store (one has reached its RUN), so it
            // waits for them and then removes the chains they unpacked, the records and the blobs
            // nothing tags, while the pull and push may still run.
            awaitLine(log("build 0"), "] RUN ", deadline);
            commands.put("prune", List.of("prune", "--all"));
            running.put("prune", start(store, "prune", commands.get("prune")));
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, Process> process : running.entrySet()) {
                long left = Math.max(1, deadline - System.nanoTime());
                boolean exited = process.getValue().waitFor(left, TimeUnit.NANOSECONDS);
                if (!exited) {
                    process.getValue().destroyForcibly().waitFor();
                }
                String output = Files.readString(log(process.getKey()));
                if (!exited || process.getValue().exitValue() != 0) {
                    failures.add("jbuild " + String.join(" ", commands.get(process.getKey()))
                            + (exited ? " exited " + process.getValue().exitValue() : " did not finish in time") + ":\n" + output);
                }
            }
            assertEquals(List.of(), failures);

            // The store is whole: no partial or orphaned entries, every blob matches its name, and
            // every image reads completely.
            assertEquals(List.of(), hidden(store.resolve("rootfs")), "nothing half-made or half-removed in rootfs/");
            try (Stream<Path> tmp = Files.list(store.resolve("tmp"))) {
                assertEquals(List.of(), tmp.toList(), "no temporary entries are left");
            }
            try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
                for (Path blob : blobs.toList()) {
                    assertEquals(blob.getFileName().toString(), Digest.of(Files.readAllBytes(blob)).hex(), "blob " + blob);
                }
            }
            for (int i = 0; i < BUILDS; i++) {
                CliTest.Result saved = CliTest.run("--root", store.toString(), "save", "-o",
                        temp.resolve("built" + i + ".tar").toString(), "built:" + i);
                assertEquals(0, saved.exitCode(), saved.err());
            }
            CliTest.Result images = CliTest.run("--root", store.toString(), "images");
            assertTrue(images.out().contains(registry.host() + "/busybox"), images.out());
            CliTest.Result pulledBack = CliTest.run("--root", temp.resolve("other-store").toString(), "pull", pushed);
            assertEquals(0, pulledBack.exitCode(), "the push arrived: " + pulledBack.err());
            // And the store goes on working: a build that unpacks the same chain again.
            CliTest.Result again = CliTest.run("--root", store.toString(), "build", "-q", temp.resolve("context0").toString());
            assertEquals(0, again.exitCode(), again.err());
        }
    }

    private Process start(Path store, String name, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "dev.jbuild.cli.Main", "--root", store.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log(name).toFile()).start();
    }

    private static void awaitLine(Path log, String text, long deadline) throws Exception {
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in " + log);
            Thread.sleep(50);
        }
    }

    private Path log(String name) {
        return temp.resolve(name.replace(' ', '-') + ".log");
    }

    private static List<Path> hidden(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
