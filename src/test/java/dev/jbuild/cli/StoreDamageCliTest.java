package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Manifest;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands do with a store damaged outside jbuild: a blob cut short, a blob removed, an index.json that
 * is no JSON. Each is said once, names what is wrong and how to mend it, and does not stop the rest of the store.
 */
class StoreDamageCliTest {

    @TempDir
    Path temp;

    Path root;
    Path context;

    @BeforeEach
    void setUp() throws IOException {
        root = temp.resolve("store");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n".repeat(50_000));
        Files.writeString(context.resolve("b.txt"), "b\n");
    }

    private CliTest.Result build(String tag, String file, String... flags) throws IOException {
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY " + file + " /\n");
        List<String> args = new java.util.ArrayList<>(List.of("--root", root.toString(), "-q", "-t", tag));
        args.addAll(List.of(flags));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    private Manifest manifestOf(String name) throws IOException {
        Store store = Store.open(root);
        Descriptor tagged = store.resolve(name).orElseThrow();
        return ImageDocuments.parseManifest(store.readBytes(tagged.digest())).value();
    }

    private Path blob(Descriptor descriptor) throws IOException {
        return root.toRealPath().resolve("blobs/sha256/" + descriptor.digest().hex());
    }

    @Test
    void aRebuildOfATruncatedLayerReplacesIt() throws IOException {
        assertEquals(0, build("app:1", "a.txt").exitCode());
        Descriptor layer = manifestOf("docker.io/library/app:1").layers().get(0);
        try (FileChannel channel = FileChannel.open(blob(layer), StandardOpenOption.WRITE)) {
            channel.truncate(layer.size() / 2);
        }

        CliTest.Result again = build("app:1", "a.txt", "--no-cache");

        assertEquals(0, again.exitCode(), again.err());
        assertEquals(layer, manifestOf("docker.io/library/app:1").layers().get(0), "the same layer");
        assertEquals(layer.size(), Files.size(blob(layer)), "its truncated file was replaced by the new one");
        CliTest.Result saved = CliTest.run("--root", root.toString(), "save", "-o", temp.resolve("app.tar").toString(), "app:1");
        assertEquals(0, saved.exitCode(), saved.err());
    }

    @Test
    void anImageWithAMissingConfigIsAWarningAndItsNameCanBeRemoved() throws IOException {
        assertEquals(0, build("app:1", "a.txt").exitCode());
        assertEquals(0, build("other:1", "b.txt").exitCode());
        Descriptor config = manifestOf("docker.io/library/app:1").config();
        Files.delete(blob(config));

        CliTest.Result images = CliTest.run("--root", root.toString(), "images");

        assertEquals(0, images.exitCode(), images.err());
        assertTrue(images.out().lines().anyMatch(l -> l.startsWith("other ")), images.out());
        assertFalse(images.out().lines().anyMatch(l -> l.startsWith("app ")), images.out());
        assertEquals("warning: app:1: its config " + config.digest() + " is missing from the store; jbuild pull app:1"
                + " (or build it again) or jbuild rmi app:1\n", images.err());
        CliTest.Result quiet = CliTest.run("--root", root.toString(), "images", "-q");
        assertEquals(0, quiet.exitCode(), quiet.err());
        assertEquals(1, quiet.out().lines().count(), quiet.out());

        CliTest.Result removed = CliTest.run("--root", root.toString(), "rmi", "app:1");

        assertEquals(0, removed.exitCode(), removed.err());
        assertEquals("Untagged: docker.io/library/app:1\n", removed.out());
        assertEquals("", CliTest.run("--root", root.toString(), "images").err());
    }

    @Test
    void anImageWithAMissingManifestIsAWarningAndRmiByNameOrForcedIdRemovesIt() throws IOException {
        assertEquals(0, build("app:1", "a.txt").exitCode());
        assertEquals(0, build("other:1", "b.txt").exitCode());
        Store store = Store.open(root);
        Descriptor manifest = store.resolve("docker.io/library/app:1").orElseThrow();
        Descriptor layer = manifestOf("docker.io/library/app:1").layers().get(0);
        Files.delete(blob(manifest));

        CliTest.Result images = CliTest.run("--root", root.toString(), "images");

        assertEquals(0, images.exitCode(), images.err());
        assertTrue(images.out().lines().anyMatch(l -> l.startsWith("other ")), images.out());
        assertTrue(images.err().startsWith("warning: app:1: its manifest " + manifest.digest() + " is missing from the store;"),
                images.err());

        // By manifest digest (from index.json, which is all a broken name has), with -f as any ID.
        CliTest.Result removed = CliTest.run("--root", root.toString(), "rmi", "-f", manifest.digest().hex().substring(0, 12));
        assertEquals(0, removed.exitCode(), removed.err());
        assertEquals("Untagged: docker.io/library/app:1\n", removed.out());
        assertTrue(store.resolve("docker.io/library/other:1").isPresent());

        // Then prune collects what only the broken name kept (the cache records keep the layer: -a).
        CliTest.Result pruned = CliTest.run("--root", root.toString(), "prune", "-a");
        assertEquals(0, pruned.exitCode(), pruned.err());
        assertFalse(Files.exists(blob(layer)), pruned.out());
        assertEquals(0, CliTest.run("--root", root.toString(), "save", "-o", temp.resolve("o.tar").toString(), "other:1")
                .exitCode());
    }

    @Test
    void anIndexThatIsNotJsonStopsEveryCommandAtOpenWithExit125() throws IOException {
        assertEquals(0, build("app:1", "a.txt").exitCode());
        Path index = root.toRealPath().resolve("index.json");
        List<Path> blobsBefore = blobs();
        for (String damaged : new String[] {"garbage", ""}) {
            Files.writeString(index, damaged);
            for (List<String> command : List.of(List.of("images"), List.of("rmi", "app:1"), List.of("prune", "-a"),
                    List.of("build", "-t", "new:1", "--no-cache", context.toString()))) {
                List<String> args = new java.util.ArrayList<>(List.of("--root", root.toString()));
                args.addAll(command);
                Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY b.txt /\n");

                CliTest.Result result = CliTest.run(args.toArray(String[]::new));

                assertEquals(ExitCodes.ENVIRONMENT, result.exitCode(), command + ": " + result.err());
                assertTrue(result.err().contains("error: cannot open the image store at " + root + ": " + index
                        + ", where the store keeps its image names, is not valid JSON for an image index ("), result.err());
                assertTrue(result.err().contains("); restore it from a backup, or remove the whole store with"
                        + " `jbuild system reset`"), result.err());
                assertFalse(result.err().contains("#1 "), "no step ran: " + result.err());
                assertEquals(blobsBefore, blobs(), command + " wrote or removed no blob");
                assertEquals(damaged, Files.readString(index));
            }
        }

        CliTest.Result reset = CliTest.run("--root", root.toString(), "system", "reset", "-f");
        assertEquals(0, reset.exitCode(), reset.err());
        assertFalse(Files.exists(root));
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> files = Files.list(root.toRealPath().resolve("blobs/sha256"))) {
            return files.sorted().toList();
        }
    }
}
