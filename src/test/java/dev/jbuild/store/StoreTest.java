package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.DigestMismatchException;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {

    @TempDir
    Path root;

    // ---- layout and blobs -----------------------------------------------------------------------

    @Test
    void openCreatesAnOciLayout() throws Exception {
        Store store = Store.open(root.resolve("new/store"));
        Path r = store.root();
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(r.resolve("oci-layout")));
        Index index = ImageDocuments.parseIndex(Files.readAllBytes(r.resolve("index.json"))).value();
        assertEquals(MediaTypes.OCI_INDEX, index.mediaType());
        assertTrue(index.manifests().isEmpty());
        assertTrue(Files.isDirectory(r.resolve("blobs/sha256")));
        assertTrue(Files.isDirectory(r.resolve("tmp")));
        // Opening again changes nothing.
        byte[] before = Files.readAllBytes(r.resolve("index.json"));
        Store.open(r);
        assertArrayEquals(before, Files.readAllBytes(r.resolve("index.json")));
    }

    @Test
    void putAndReadBlobs() throws Exception {
        Store store = Store.open(root);
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        Digest digest = store.putBytes(bytes);
        assertEquals(Digest.of(bytes), digest);
        assertTrue(store.has(digest));
        assertEquals(5, store.size(digest));
        assertEquals(root.toRealPath().resolve("blobs/sha256/" + digest.hex()), store.path(digest));
        try (InputStream in = store.open(digest)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertArrayEquals(bytes, store.readBytes(digest));
        assertEquals(new Descriptor(MediaTypes.OCI_CONFIG, digest, 5), store.putBytes(MediaTypes.OCI_CONFIG, bytes));
        assertTempEmpty(store);
    }

    @Test
    void missingBlobIsNamedInTheError() throws Exception {
        Store store = Store.open(root);
        Digest absent = Digest.of(new byte[] {42});
        assertFalse(store.has(absent));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> store.open(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> store.size(absent));
        assertThrows(NoSuchFileException.class, () -> store.readBytes(absent));
    }

    @Test
    void writerStreamsHashesAndCommits() throws Exception {
        Store store = Store.open(root);
        byte[] content = StoreWorker.content();
        try (BlobWriter writer = store.blobWriter()) {
            for (int offset = 0; offset < content.length; offset += 1000) {
                writer.write(content, offset, Math.min(1000, content.length - offset));
            }
            assertEquals(content.length, writer.size());
            assertEquals(Digest.of(content), writer.commit());
            assertThrows(IOException.class, () -> writer.write(1));
        }
        assertArrayEquals(content, Files.readAllBytes(store.path(Digest.of(content))));
        assertTempEmpty(store);
    }

    @Test
    void sha512BlobsGoUnderTheirAlgorithm() throws Exception {
        Store store = Store.open(root);
        byte[] content = "sha512 content".getBytes(StandardCharsets.UTF_8);
        Digest expected = Digest.of(Digest.SHA512, content);
        try (BlobWriter writer = store.blobWriter(expected, content.length)) {
            writer.write(content);
            assertEquals(expected, writer.commit());
        }
        assertTrue(Files.isRegularFile(store.root().resolve("blobs/sha512/" + expected.hex())));
        assertArrayEquals(content, store.readBytes(expected));
    }

    @Test
    void digestMismatchKeepsNothing() throws Exception {
        Store store = Store.open(root);
        byte[] content = "actual content".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.of("claimed content".getBytes(StandardCharsets.UTF_8));
        try (BlobWriter writer = store.blobWriter(claimed, content.length)) {
            writer.write(content);
            DigestMismatchException e = assertThrows(DigestMismatchException.class, writer::commit);
            assertEquals(claimed, e.expected());
            assertEquals(Digest.of(content), e.actual());
        }
        assertFalse(store.has(claimed));
        assertFalse(store.has(Digest.of(content)));
        assertTempEmpty(store);
    }

    @Test
    void sizeMismatchKeepsNothing() throws Exception {
        Store store = Store.open(root);
        byte[] content = "twelve bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(content);
        try (BlobWriter tooLong = store.blobWriter(digest, content.length - 1)) {
            // Detected while writing, before the whole stream has been consumed.
            assertThrows(DigestMismatchException.class, () -> tooLong.write(content));
        }
        try (BlobWriter tooShort = store.blobWriter(digest, content.length + 1)) {
            tooShort.write(content);
            DigestMismatchException e = assertThrows(DigestMismatchException.class, tooShort::commit);
            assertTrue(e.getMessage().contains("size"), e.getMessage());
        }
        try (BlobWriter abandoned = store.blobWriter(digest, content.length)) {
            abandoned.write(content);
        }
        assertFalse(store.has(digest));
        assertTempEmpty(store);
    }

    @Test
    void corruptBlobOnDiskIsDetectedByReadBytes() throws Exception {
        Store store = Store.open(root);
        Digest digest = store.putBytes("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Files.writeString(store.path(digest), "{\"a\":2}");
        assertThrows(DigestMismatchException.class, () -> store.readBytes(digest));
    }

    @Test
    void concurrentWritersOfTheSameBlobAllSucceed() throws Exception {
        Store store = Store.open(root);
        byte[] content = StoreWorker.content();
        Digest digest = Digest.of(content);
        int writers = 6;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Digest>> tasks = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            tasks.add(() -> {
                start.await();
                try (BlobWriter writer = store.blobWriter(digest, content.length)) {
                    for (int offset = 0; offset < content.length; offset += 4096) {
                        writer.write(content, offset, Math.min(4096, content.length - offset));
                    }
                    return writer.commit();
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Digest>> results = new ArrayList<>();
            for (Callable<Digest> task : tasks) {
                results.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Digest> result : results) {
                assertEquals(digest, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(content, store.readBytes(digest));
        assertTempEmpty(store);
    }

    @Integration
    @Test
    void twoProcessesWritingTheSameBlobBothSucceed() throws Exception {
        Store store = Store.open(root.resolve("store"));
        Path go = root.resolve("go");
        Process a = startWorker("blob", store.root().toString(), go.toString(), "10");
        Process b = startWorker("blob", store.root().toString(), go.toString(), "10");
        Files.createFile(go);
        awaitSuccess(a);
        awaitSuccess(b);
        byte[] content = StoreWorker.content();
        assertArrayEquals(content, store.readBytes(Digest.of(content)));
        assertTempEmpty(store);
    }

    // ---- tags -----------------------------------------------------------------------------------

    @Test
    void tagResolveUntag() throws Exception {
        Store store = Store.open(root);
        Descriptor v1 = store.putBytes(MediaTypes.OCI_MANIFEST, "{\"v\":1}".getBytes(StandardCharsets.UTF_8))
                .withPlatform(Platform.parse("linux/amd64"));
        Descriptor v2 = StoreWorker.manifest("v2");
        String name = "docker.io/library/app:1.0";

        assertTrue(store.resolve(name).isEmpty());
        store.tag(name, v1);
        assertEquals(v1, store.resolve(name).orElseThrow());
        store.tag("docker.io/library/app:latest", v1);
        store.tag(name, v2);
        assertEquals(v2, store.resolve(name).orElseThrow());
        assertEquals(Map.of(name, v2, "docker.io/library/app:latest", v1), store.tags());

        // index.json: one entry per name, named by the ref.name annotation, first position kept.
        Index index = ImageDocuments.parseIndex(Files.readAllBytes(store.root().resolve("index.json"))).value();
        assertEquals(2, index.manifests().size());
        assertEquals(name, index.manifests().get(0).annotation(Descriptor.REF_NAME));
        assertEquals(v2.digest(), index.manifests().get(0).digest());
        assertEquals(index, store.index());

        assertTrue(store.untag(name));
        assertFalse(store.untag(name));
        assertTrue(store.resolve(name).isEmpty());
        assertEquals(Map.of("docker.io/library/app:latest", v1), store.tags());
        assertTrue(store.untag("docker.io/library/app:latest"));
        assertTrue(store.has(v1.digest()), "untag never deletes blobs");
    }

    @Test
    void entriesThatAreNotTagsSurviveTagChanges() throws Exception {
        Store store = Store.open(root);
        Descriptor untagged = StoreWorker.manifest("kept").withAnnotation("com.example.note", "not a tag");
        Index withUntagged = new Index(MediaTypes.OCI_INDEX, List.of(untagged));
        Files.write(store.root().resolve("index.json"), ImageDocuments.encode(withUntagged).bytes());
        store.tag("app:1", StoreWorker.manifest("a"));
        store.untag("app:1");
        assertEquals(List.of(untagged), store.index().manifests());
        assertTrue(store.tags().isEmpty());
    }

    @Test
    void rejectsNamesOutsideTheRefNameGrammar() throws Exception {
        Store store = Store.open(root);
        Descriptor d = StoreWorker.manifest("x");
        for (String bad : new String[] {"", " app", "app:1 ", "app//x", "/app", "app/", "a\nb", "app:-1"}) {
            assertThrows(IllegalArgumentException.class, () -> store.tag(bad, d), bad);
        }
        store.tag("registry.example.com:5000/team/app:1.0-rc.1", d);
        store.tag("app@" + d.digest(), d);
        assertEquals(2, store.tags().size());
    }

    @Test
    void concurrentTagUpdatesFromThreadsAndStoreInstances() throws Exception {
        Store first = Store.open(root);
        Store second = Store.open(root);
        int threads = 4;
        int perThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Store store = t % 2 == 0 ? first : second;
                String prefix = "t" + t + "-";
                results.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.tag("app:" + prefix + i, StoreWorker.manifest(prefix + i));
                        store.tag("app:shared", StoreWorker.manifest(prefix + i));
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread + 1, first.tags().size());
        assertEquals(threads * perThread + 1, first.index().manifests().size());
        assertTempEmpty(first);
    }

    @Integration
    @Test
    void indexStaysValidUnderTagUpdatesFromTwoProcesses() throws Exception {
        Store store = Store.open(root.resolve("store"));
        int perProcess = 25;
        Path go = root.resolve("go");
        Process a = startWorker("tag", store.root().toString(), go.toString(), "a", String.valueOf(perProcess));
        Process b = startWorker("tag", store.root().toString(), go.toString(), "b", String.valueOf(perProcess));
        Files.createFile(go);
        // Meanwhile, lock-free readers must always see a whole, valid index.json.
        int reads = 0;
        while (a.isAlive() || b.isAlive()) {
            ImageDocuments.parseIndex(Files.readAllBytes(store.root().resolve("index.json")));
            reads++;
            Thread.sleep(1);
        }
        awaitSuccess(a);
        awaitSuccess(b);
        Map<String, Descriptor> tags = store.tags();
        assertEquals(2 * perProcess + 1, tags.size(), tags.keySet().toString());
        for (int i = 0; i < perProcess; i++) {
            assertEquals(StoreWorker.manifest("a" + i), tags.get("example.com/app:a" + i));
            assertEquals(StoreWorker.manifest("b" + i), tags.get("example.com/app:b" + i));
        }
        assertTrue(reads > 0);
        assertTempEmpty(store);
    }

    // ---- crash safety ---------------------------------------------------------------------------

    @Test
    void leftoversOfAKilledWriterDoNotAffectReadsAndAreCleanedWhenStale() throws Exception {
        Store store = Store.open(root);
        Descriptor manifest = store.putBytes(MediaTypes.OCI_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));
        store.tag("app:1", manifest);
        // What a process killed mid-write leaves behind.
        Path partialBlob = store.root().resolve("tmp/blob-0f1e2d3c.tmp");
        Files.write(partialBlob, new byte[] {1, 2, 3});
        Path partialIndex = store.root().resolve(".index.json.0f1e2d3c.tmp");
        Files.writeString(partialIndex, "{\"schemaVersion\":2,\"manif");

        Store reopened = Store.open(store.root());
        assertEquals(manifest, reopened.resolve("app:1").orElseThrow());
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), reopened.readBytes(manifest.digest()));
        assertTrue(Files.exists(partialBlob), "a recent temporary file may belong to a live writer");
        assertTrue(Files.exists(partialIndex));

        FileTime old = FileTime.from(Instant.now().minus(TempSpace.STALE_AGE).minusSeconds(60));
        Files.setLastModifiedTime(partialBlob, old);
        Files.setLastModifiedTime(partialIndex, old);
        Store.open(store.root());
        assertFalse(Files.exists(partialBlob));
        assertFalse(Files.exists(partialIndex));
        assertEquals(manifest, Store.open(store.root()).resolve("app:1").orElseThrow());
    }

    @Test
    void defaultRootFollowsJbuildRootThenXdg() {
        assertEquals(Path.of("/srv/jb"), Store.defaultRoot(Map.of("JBUILD_ROOT", "/srv/jb", "XDG_DATA_HOME", "/x"), "/home/u"));
        assertEquals(Path.of("/x/jbuild"), Store.defaultRoot(Map.of("XDG_DATA_HOME", "/x"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/share/jbuild"), Store.defaultRoot(Map.of("XDG_DATA_HOME", "relative"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/share/jbuild"), Store.defaultRoot(Map.of(), "/home/u"));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void assertTempEmpty(Store store) throws IOException {
        try (Stream<Path> files = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), files.toList());
        }
        try (Stream<Path> files = Files.list(store.root())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    static Process startWorker(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"),
                StoreWorker.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static void awaitSuccess(Process process) throws Exception {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "worker timed out");
        assertEquals(0, process.exitValue(), output);
    }
}
