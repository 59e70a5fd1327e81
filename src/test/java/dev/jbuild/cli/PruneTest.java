package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.store.Store;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jbuild prune and jbuild du on a real store. */
@Integration
class PruneTest {

    @TempDir
    Path temp;

    Path context;
    Path store;
    BusyboxImage busybox;

    @BeforeEach
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        store = temp.resolve("store");
        Files.writeString(context.resolve("a.txt"), "A\n");
    }

    private CliTest.Result jbuild(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(List.of(args));
        return CliTest.run(all.toArray(String[]::new));
    }

    private CliTest.Result build(String tag, String dockerfile) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return jbuild("build", "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "-t", tag, context.toString());
    }

    private long count(String dir) throws Exception {
        if (!Files.isDirectory(store.resolve(dir))) {
            return 0;
        }
        try (Stream<Path> files = Files.list(store.resolve(dir))) {
            return files.count();
        }
    }

    @Test
    void pruneKeepsWhatTagsAndCacheUseAndAllRemovesTheCache() throws Exception {
        assertEquals(0, build("keep:1", "FROM busybox\nCOPY a.txt /a\nRUN echo kept > /k\n").exitCode());
        CliTest.Result gone = build("gone:1", "FROM scratch\nCOPY Dockerfile /d\n");
        assertEquals(0, gone.exitCode(), gone.err());
        assertTrue(count("rootfs") > 0, "a RUN unpacked its base");
        Files.createDirectories(store.resolve("tmp/build-old/sub"));
        Files.writeString(store.resolve("tmp/build-old/sub/f"), "x");
        Files.setLastModifiedTime(store.resolve("tmp/build-old"), FileTime.from(Instant.now().minusSeconds(7200)));
        assertEquals(0, jbuild("rmi", "gone:1").exitCode());
        long blobs = count("blobs/sha256");

        CliTest.Result du = jbuild("du");
        assertEquals(0, du.exitCode(), du.err());
        assertTrue(du.out().contains("build cache only") && du.out().contains("rootfs/"), du.out());

        CliTest.Result prune = jbuild("prune");
        assertEquals(0, prune.exitCode(), prune.err());
        assertTrue(prune.out().contains("Deleted 0 cache records"), prune.out());
        // The untagged image's config and manifest (its layer is cached), and the imported busybox
        // manifest and config (a named context is imported without a tag; its layer is keep:1's).
        assertEquals(blobs - 4, count("blobs/sha256"));
        assertFalse(Files.exists(store.resolve("tmp/build-old")), "stale temporary directories go");

        CliTest.Result rebuilt = build("gone:1", "FROM scratch\nCOPY Dockerfile /d\n");
        assertTrue(rebuilt.err().contains("CACHED"), rebuilt.err());
        assertEquals(0, jbuild("rmi", "gone:1").exitCode());

        CliTest.Result all = jbuild("prune", "--all");
        assertEquals(0, all.exitCode(), all.err());
        assertEquals(0, count("cache/records"));
        assertEquals(0, count("rootfs"), all.out() + all.err());
        CliTest.Result again = build("keep:1", "FROM busybox\nCOPY a.txt /a\nRUN echo kept > /k\n");
        assertEquals(0, again.exitCode(), again.err());
        assertFalse(again.err().contains("CACHED"), "the cache is empty now");
        assertEquals(0, jbuild("save", "-o", temp.resolve("keep.tar").toString(), "keep:1").exitCode());
    }

    @Test
    void untilAndKeepStorage() throws Exception {
        assertEquals(0, build("one:1", "FROM scratch\nCOPY a.txt /a\nCOPY Dockerfile /d\n").exitCode());
        assertEquals(0, jbuild("rmi", "one:1").exitCode());
        long records = count("cache/records");
        assertEquals(2, records);
        try (Stream<Path> files = Files.list(store.resolve("cache/records"))) {
            Path old = files.sorted().findFirst().orElseThrow();
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(48 * 3600)));
        }
        CliTest.Result until = jbuild("prune", "--filter", "until=24h");
        assertEquals(0, until.exitCode(), until.err());
        assertEquals(1, count("cache/records"));
        CliTest.Result keep = jbuild("prune", "--keep-storage=0");
        assertEquals(0, keep.exitCode(), keep.err());
        assertEquals(0, count("cache/records"));
        assertEquals(0, count("blobs/sha256"));
        assertEquals(2, jbuild("prune", "--filter", "since=1h").exitCode());
        assertEquals(2, jbuild("prune", "--keep-storage=lots").exitCode());
    }

    @Test
    void pruneWaitsForRunningBuilds() throws Exception {
        Store opened = Store.open(store);
        CompletableFuture<CliTest.Result> prune;
        try (Store.Use build = opened.sharedUse()) {
            prune = CompletableFuture.supplyAsync(() -> jbuild("prune", "--all"));
            try {
                prune.get(1500, TimeUnit.MILLISECONDS);
                throw new AssertionError("prune ran during a build");
            } catch (TimeoutException expected) {
                // waiting, as it should
            }
        }
        assertEquals(0, prune.get(30, TimeUnit.SECONDS).exitCode());
    }

    /**
     * Temporary entries of a process killed with SIGKILL (a download's partial blob, a build's
     * scratch directory) go at the next prune, however young; a live process's stay.
     */
    @Test
    void pruneRemovesTheTemporaryEntriesOfKilledProcessesAtOnceAndKeepsLiveOnes() throws Exception {
        Store.open(store);
        Path start = Files.createFile(temp.resolve("start"));
        Process killed = startTempWorker(start);
        Process live = startTempWorker(start);
        try {
            List<Path> killedEntries = entriesOf(killed);
            List<Path> liveEntries = entriesOf(live);
            ExternalTool.command("kill", "-KILL", Long.toString(killed.pid())).runSuccessfully();
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS));

            CliTest.Result prune = jbuild("prune");
            assertEquals(0, prune.exitCode(), prune.err());
            // (the partial blob, a plain file, already goes when prune opens the store)
            assertTrue(prune.out().contains("1 temporary entries"), prune.out());
            for (Path entry : killedEntries) {
                assertFalse(Files.exists(entry), entry + " of the killed process");
            }
            for (Path entry : liveEntries) {
                assertTrue(Files.exists(entry), entry + " of the live process");
            }
            assertEquals(1, count("owners"), "only the live process's owner file is left");
        } finally {
            killed.destroyForcibly().waitFor();
            live.destroyForcibly().waitFor();
        }
        // Its owner gone too, opening the store removes the partial blob, prune the directory.
        Store.open(store);
        assertEquals(1, count("tmp"));
        CliTest.Result prune = jbuild("prune");
        assertTrue(prune.out().contains("1 temporary entries"), prune.out());
        assertEquals(0, count("tmp"));
        assertEquals(0, count("owners"));
    }

    private Process startTempWorker(Path start) throws Exception {
        return new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                "dev.jbuild.store.StoreWorker", "temp", store.toString(), start.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The temporary directory and partial blob the worker printed once it made them. */
    private static List<Path> entriesOf(Process worker) throws Exception {
        String line = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null, "the worker printed its entries");
        List<Path> entries = Stream.of(line.split(" ")).map(Path::of).toList();
        entries.forEach(e -> assertTrue(Files.exists(e), e.toString()));
        return entries;
    }

    /** A blob nothing references, written {@code age} ago. */
    private Path danglingBlob(String content, Duration age) throws Exception {
        Store opened = Store.open(store);
        Path blob = opened.path(opened.putBytes(content.getBytes(StandardCharsets.UTF_8)));
        Files.setLastModifiedTime(blob, FileTime.from(Instant.now().minus(age)));
        return blob;
    }

    @Test
    void automaticCollectionStartsItsClockThenCollectsWhenDue() throws Exception {
        CliTest.Result first = build("one:1", "FROM scratch\nCOPY a.txt /a\n");
        assertEquals(0, first.exitCode(), first.err());
        Path stamp = store.resolve("cache/gc-last");
        assertTrue(Files.exists(stamp), "the first build starts the clock");
        Path old = danglingBlob("left over three days ago", Duration.ofDays(3));
        Path recent = danglingBlob("left over a minute ago", Duration.ofMinutes(1));

        CliTest.Result notDue = build("one:1", "FROM scratch\nCOPY a.txt /a\n");
        assertEquals(0, notDue.exitCode(), notDue.err());
        assertTrue(Files.exists(old), "not due within the interval");

        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().minusSeconds(2 * 3600)));
        CliTest.Result due = build("one:1", "FROM scratch\nCOPY a.txt /a\n");
        assertEquals(0, due.exitCode(), due.err());
        assertTrue(due.err().contains("garbage collection: freed"), due.err());
        assertFalse(Files.exists(old), "an old unreferenced blob is collected");
        assertTrue(Files.exists(recent), "a recent one may still be tagged by its ID, so it stays");
        assertTrue(Files.getLastModifiedTime(stamp).toInstant().isAfter(Instant.now().minusSeconds(600)), "clock restarted");
        assertEquals(0, jbuild("save", "-o", temp.resolve("one.tar").toString(), "one:1").exitCode(), "the tagged image is whole");
        CliTest.Result cached = build("one:1", "FROM scratch\nCOPY a.txt /a\n");
        assertTrue(cached.err().contains("CACHED"), "cache records are kept below the storage limit: " + cached.err());
    }

    @Test
    void automaticCollectionSkipsRatherThanWaitForAnotherBuild() throws Exception {
        assertEquals(0, build("one:1", "FROM scratch\nCOPY a.txt /a\n").exitCode());
        Path stamp = store.resolve("cache/gc-last");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().minusSeconds(2 * 3600)));
        Path old = danglingBlob("left over three days ago", Duration.ofDays(3));
        Store opened = Store.open(store);
        try (Store.Use otherBuild = opened.sharedUse()) {
            CompletableFuture<CliTest.Result> build =
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return build("one:1", "FROM scratch\nCOPY a.txt /a\n");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            CliTest.Result result = build.get(60, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.err());
            assertFalse(result.err().contains("garbage collection"), result.err());
        }
        assertTrue(Files.exists(old), "nothing is collected while another build uses the store");
        assertTrue(Files.getLastModifiedTime(stamp).toInstant().isBefore(Instant.now().minusSeconds(3600)),
                "still due for the next build");
    }
}
