package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cache-to/--cache-from type=local: a second machine (a fresh store) rebuilds without running any RUN. */
@Integration
class CacheDirectoryTest {

    @TempDir
    Path temp;

    private CliTest.Result build(Path store, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--root", store.toString(), "--build-context",
                "busybox=oci-layout://" + temp.resolve("busybox") + ":1.0", "--progress=plain",
                "--metadata-file", temp.resolve("meta-" + store.getFileName() + ".json").toString()));
        args.addAll(List.of(extra));
        args.add(temp.resolve("context").toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void aFreshStoreRebuildsFromTheCacheDirectoryWithoutRunningAnything() throws Exception {
        BusyboxImage.write(temp.resolve("busybox"), "1.0");
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Files.writeString(context.resolve("Dockerfile"), TestResources.text(CacheDirectoryTest.class, "aFreshStoreRebuildsFromTheCacheDirectoryWithoutRunningAnything.Dockerfile"));
        Path cache = temp.resolve("ci-cache");
        CliTest.Result first = build(temp.resolve("machine-1"), "--cache-to", "type=local,dest=" + cache + ",mode=max",
                "--build-arg", "SOURCE_DATE_EPOCH=0");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.err().contains("first-1"), first.err());
        assertTrue(Files.isRegularFile(cache.resolve("jbuild-cache.json")));

        CliTest.Result second = build(temp.resolve("machine-2"), "--cache-from", "type=local,src=" + cache,
                "--build-arg", "SOURCE_DATE_EPOCH=0");
        assertEquals(0, second.exitCode(), second.err());
        assertFalse(second.err().contains("first-1") || second.err().contains("second-2")
                || second.err().contains("tool-7"), "no RUN ran on the second machine: " + second.err());
        assertTrue(second.err().contains("CACHED"), second.err());
        assertEquals(Files.readString(temp.resolve("meta-machine-1.json")).replaceAll("\"image.name\".*", ""),
                Files.readString(temp.resolve("meta-machine-2.json")).replaceAll("\"image.name\".*", ""),
                "the same image, digest for digest");
        // Only the image's layers were copied in: the tools stage's layer (not in the image) was keyed
        // through its file index from the directory and stayed there.
        long toolsLayers;
        try (var indexes = Files.list(cache.resolve("indexes"))) {
            toolsLayers = indexes.count();
        }
        assertTrue(toolsLayers >= 5, "an index per exported layer");
        try (var blobs = Files.list(cache.resolve("blobs/sha256"))) {
            long absent = blobs.filter(b -> !Files.exists(temp.resolve("machine-2/blobs/sha256").resolve(b.getFileName())))
                    .count();
            assertEquals(1, absent, "exactly the tools layer stayed in the directory");
        }

        Files.writeString(context.resolve("a.txt"), "changed\n");
        CliTest.Result changed = build(temp.resolve("machine-3"), "--cache-from", "type=local,src=" + cache,
                "--build-arg", "SOURCE_DATE_EPOCH=0");
        assertEquals(0, changed.exitCode(), changed.err());
        assertTrue(changed.err().contains("first-1"), "a changed file re-runs the steps after it");
        assertFalse(changed.err().contains("tool-7"), "the other stage still comes from the cache");

        CliTest.Result missing = build(temp.resolve("machine-4"), "--cache-from", "type=local,src=" + temp.resolve("nothing"));
        assertEquals(0, missing.exitCode(), "a cache directory that does not exist yet is just empty: " + missing.err());
    }
}
