package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildRecordsTest {

    @TempDir
    Path root;

    /** A record with every field set, told apart by {@code id}. */
    static BuildRecord record(String id) {
        Instant started = Instant.parse("2026-12-07T08:30:01.123Z");
        return new BuildRecord(id, started, started.plusMillis(2345), "alice", 1000L, "ci-7",
                new BuildRecord.Invocation(List.of("docker.io/library/app:1"), "app", List.of("linux/amd64", "linux/arm64"),
                        List.of("VERSION"), List.of("npmrc"), Digest.of("FROM scratch\n".getBytes(StandardCharsets.UTF_8))),
                Digest.of(id.getBytes(StandardCharsets.UTF_8)),
                List.of(new BuildRecord.Material("pkg:docker/alpine@3.20?platform=linux%2Famd64",
                        Map.of("sha256", "a".repeat(64)))),
                new BuildRecord.Outcome(0, null, Digest.of(new byte[] {1}), Digest.of(new byte[] {2}),
                        List.of("registry.example/app:1@" + Digest.of(new byte[] {1})), 4, 2));
    }

    private static BuildRecord failed(String id) {
        Instant started = Instant.parse("2026-12-07T09:00:00Z");
        return new BuildRecord(id, started, started.plusSeconds(1), null, null, null,
                new BuildRecord.Invocation(List.of(), null, List.of("linux/amd64"), List.of(), List.of(), null), null, List.of(),
                new BuildRecord.Outcome(1, "Dockerfile:2: RUN failed: exit code 1\twith \"quotes\"", null, null, List.of(), 2, 0));
    }

    private List<String> ids(BuildRecords records) throws Exception {
        return records.read().entries().stream().map(e -> e.record().id()).toList();
    }

    @Test
    void recordsReadBackAsWrittenOldestFirst() throws Exception {
        BuildRecords records = Store.open(root).buildRecords();
        assertEquals(new BuildRecords.Reading(List.of(), 0), records.read());
        records.append(record("first"));
        records.append(failed("second"));
        BuildRecords.Reading reading = records.read();
        assertEquals(0, reading.unreadable());
        assertEquals(List.of(record("first"), failed("second")), reading.entries().stream().map(BuildRecords.Entry::record).toList());
        List<String> lines = Files.readAllLines(root.resolve("builds.jsonl"));
        assertEquals(lines, reading.entries().stream().map(BuildRecords.Entry::line).toList());
        assertTrue(lines.get(0).startsWith("{\"version\":1,\"id\":\"first\",\"started\":\"2026-12-07T08:30:01.123Z\","
                + "\"finished\":\"2026-12-07T08:30:03.468Z\",\"durationSeconds\":2.345,\"user\":{\"name\":\"alice\",\"uid\":1000},"
                + "\"host\":\"ci-7\",\"invocation\":{\"tags\":[\"docker.io/library/app:1\"],\"target\":\"app\""), lines.get(0));
    }

    @Test
    void aTornLastLineIsSkippedAndTheNextRecordStartsOnANewLine() throws Exception {
        BuildRecords records = Store.open(root).buildRecords();
        records.append(record("whole"));
        // A build killed half-way through its write.
        byte[] line = BuildRecordJson.write(record("torn"));
        Files.write(records.file(), Arrays.copyOf(line, line.length / 2), StandardOpenOption.APPEND);
        assertEquals(List.of("whole"), ids(records));
        assertEquals(1, records.read().unreadable());

        records.append(record("after"));
        BuildRecords.Reading reading = records.read();
        assertEquals(List.of("whole", "after"), reading.entries().stream().map(e -> e.record().id()).toList());
        assertEquals(1, reading.unreadable());
    }

    @Test
    void linesThatAreNoRecordOfThisVersionAreCountedAndSkipped() throws Exception {
        BuildRecords records = Store.open(root).buildRecords();
        String valid = new String(BuildRecordJson.write(record("a")), StandardCharsets.UTF_8);
        String laterField = valid.replace("\"version\":1,", "\"version\":1,\"later\":{\"x\":[1,2]},");
        Files.writeString(records.file(), String.join("\n", "not json", "[1]", valid.replace("\"version\":1", "\"version\":2"),
                valid.replace("\"started\":\"2026-12-07T08:30:01.123Z\"", "\"started\":\"yesterday\""),
                valid + " trailing", "", laterField) + "\n");
        BuildRecords.Reading reading = records.read();
        assertEquals(5, reading.unreadable());
        assertEquals(List.of(record("a")), reading.entries().stream().map(BuildRecords.Entry::record).toList(),
                "fields a later version adds are skipped");
    }

    @Test
    void concurrentAppendsFromManyThreadsAllStayWhole() throws Exception {
        Store store = Store.open(root);
        Store second = Store.open(root); // another instance on the same directory, as a second build in the JVM
        int threads = 8;
        int each = 40;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                BuildRecords records = (t % 2 == 0 ? store : second).buildRecords();
                String prefix = "t" + t + "-";
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        records.append(record(prefix + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        BuildRecords.Reading reading = store.buildRecords().read();
        assertEquals(0, reading.unreadable());
        assertEquals(threads * each, reading.entries().size());
        assertEquals(threads * each, new HashSet<>(ids(store.buildRecords())).size());
    }

    @Integration
    @Test
    void twoProcessesAppendingAtOnceLoseNoRecord() throws Exception {
        Store store = Store.open(root.resolve("store"));
        Path go = root.resolve("go");
        Process a = StoreTest.startWorker("record", store.root().toString(), go.toString(), "a", "150");
        Process b = StoreTest.startWorker("record", store.root().toString(), go.toString(), "b", "150");
        Files.createFile(go);
        StoreTest.awaitSuccess(a);
        StoreTest.awaitSuccess(b);
        BuildRecords.Reading reading = store.buildRecords().read();
        assertEquals(0, reading.unreadable());
        Set<String> ids = new HashSet<>(ids(store.buildRecords()));
        assertEquals(300, ids.size());
        for (int i = 0; i < 150; i++) {
            assertTrue(ids.contains("a" + i) && ids.contains("b" + i), "a" + i + ", b" + i);
        }
    }

    @Test
    void theFileIsTrimmedToItsNewestLinesPastTheLimit() throws Exception {
        Store.open(root);
        int lineBytes = BuildRecordJson.write(record("r000")).length + 1;
        long limit = 20L * lineBytes;
        BuildRecords records = new BuildRecords(root, IndexLock.forStore(root.toRealPath(), BuildRecords.LOCK_FILE), limit);
        for (int i = 0; i < 100; i++) {
            records.append(record(String.format("r%03d", i)));
            assertTrue(Files.size(records.file()) <= limit, "after " + i + ": " + Files.size(records.file()));
        }
        BuildRecords.Reading reading = records.read();
        assertEquals(0, reading.unreadable(), "a trim keeps whole lines only");
        List<String> ids = reading.entries().stream().map(e -> e.record().id()).toList();
        assertEquals("r099", ids.get(ids.size() - 1));
        assertTrue(ids.size() >= 10 && ids.size() <= 20, ids.toString());
        // The newest, in order, without a gap.
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(String.format("r%03d", 100 - ids.size() + i), ids.get(i));
        }
        try (var entries = Files.list(root)) {
            assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void pruneKeepsTheRecordAndResetRemovesIt() throws Exception {
        Store store = Store.open(root.resolve("store"));
        store.buildRecords().append(record("kept"));
        StoreMaintenance.prune(store, new StoreMaintenance.PruneOptions(true, -1, null), StoreMaintenance.OtherIdsRemoval.NONE,
                w -> {});
        assertEquals(List.of("kept"), ids(store.buildRecords()));
        assertTrue(StoreMaintenance.reset(store, StoreMaintenance.OtherIdsRemoval.NONE, w -> {}));
        assertTrue(Files.notExists(root.resolve("store")));
    }
}
