package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.security.auth.module.UnixSystem;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.ReadableClasspath;
import dev.jbuild.testing.RootlessTestUser;
import dev.jbuild.testing.TestResources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Owners and modes around RUN, built four ways: as root and as the unprivileged test user, each with
 * the overlay and the copy snapshotter. A directory a RUN layer carries (a parent of what changed)
 * has the mode, sticky/setgid bits and owner it has in the tree, also when the layer below it was a
 * COPY layer without that directory (unpacked on its own, it must not get a default 0755 root:root);
 * and a rw bind mount copies a context file whose group the user namespace cannot map.
 */
@Integration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunOwnershipTest {

    /** A group outside any subordinate range the test user has: unmapped in its user namespace. */
    static final int UNMAPPED_GID = 3_999_999;

    static final String DOCKERFILE = TestResources.text(RunOwnershipTest.class, "Dockerfile");

    RootlessTestUser user;
    Path work;
    Path context;
    BusyboxImage busybox;
    final Map<String, List<Map<String, LayerEntry>>> layers = new LinkedHashMap<>();
    final Map<String, Map<String, String>> texts = new HashMap<>();

    @BeforeAll
    void buildFourWays() throws Exception {
        user = RootlessTestUser.require();
        work = user.createWorkDirectory("jbuild-run-ownership-");
        String classpath = ReadableClasspath.copyTo(work.resolve("classpath"));
        busybox = BusyboxImage.write(work.resolve("busybox"), "1.0");
        context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
        Files.createDirectories(context.resolve("tars"));
        Files.writeString(context.resolve("tars/a.tar"), "not really a tar\n");
        Files.writeString(context.resolve("profile"), "export PS1='$ '\n");
        Path unmapped = Files.writeString(context.resolve("unmapped.txt"), "readable by anyone\n");
        Path shared = Files.createDirectories(context.resolve("shared"));
        Files.writeString(shared.resolve("old"), "");
        boolean root = !user.name().equals(System.getProperty("user.name"));
        if (root) {
            ExternalTool.command("chown", "-R", user.name() + ":", work.resolve("busybox").toString(),
                    context.toString()).runSuccessfully();
        }
        // Readable by the user (mode 0644, its own file), but of a group its namespace has no id for.
        Files.setAttribute(unmapped, "unix:mode", 0644);
        Files.setAttribute(shared, "unix:mode", 0755);
        if (root) {
            Files.setAttribute(unmapped, "unix:gid", UNMAPPED_GID);
            Files.setAttribute(shared, "unix:gid", UNMAPPED_GID);
        }
        for (String snapshotter : List.of("overlay", "copy")) {
            if (root) {
                Path out = work.resolve("root-" + snapshotter + ".tar");
                CliTest.Result result = CliTest.run(args(work.resolve("root-store-" + snapshotter), snapshotter, out));
                assertEquals(0, result.exitCode(), "the build as root with " + snapshotter + ": " + result.err());
                read("root-" + snapshotter, out);
            }
            Path out = work.resolve("rootless-" + snapshotter + ".tar");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    "-cp", classpath, "dev.jbuild.cli.Main"));
            command.addAll(List.of(args(work.resolve("rootless-store-" + snapshotter), snapshotter, out)));
            ExternalTool.Result result = user.command(command.toArray(String[]::new))
                    .timeout(Duration.ofMinutes(5)).run();
            if (!result.succeeded()) {
                fail("the build as " + user.name() + " with " + snapshotter + " failed: " + result.describe());
            }
            read("rootless-" + snapshotter, out);
        }
    }

    private String[] args(Path store, String snapshotter, Path out) {
        return new String[] {"--root", store.toString(), "build", "--snapshotter=" + snapshotter,
            "--progress=plain", "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
            "-o", "type=oci,dest=" + out, context.toString()};
    }

    @AfterAll
    void cleanUp() {
        if (work != null) {
            user.deleteWorkDirectory(work);
        }
    }

    @Test
    void parentDirectoriesInARunLayerKeepTheirModeAndOwner() {
        assertEquals(new UnixSystem().getUid() == 0 ? 4 : 2, layers.size());
        layers.forEach((build, image) -> {
            Map<String, LayerEntry> base = image.get(0);
            Map<String, LayerEntry> mv = layerWith(build, image, "tmp/tars", LayerEntry.Whiteout.class);
            assertDirectory(build, mv, "tmp", 01777, 0, 0);
            assertDirectory(build, mv, "foo", 0755, 0, 0);
            Map<String, LayerEntry> touch = layerWith(build, image, "home/http/foobar", LayerEntry.RegularFile.class);
            assertDirectory(build, touch, "home/http", 02755, 1000, 1000);
            LayerEntry home = base.get("home");
            assertDirectory(build, touch, "home", home.attributes().mode(), home.attributes().uid(),
                    home.attributes().gid());
            assertEquals(1000, touch.get("home/http/foobar").attributes().uid(), build);
        });
    }

    /** Writes go to a throw-away copy (a file) or overlay (a directory), both copied up from an unmapped group. */
    @Test
    void readWriteBindMountsWriteToFilesOfAnUnmappedGroup() throws IOException {
        layers.forEach((build, image) -> {
            Map<String, LayerEntry> last = layerWith(build, image, "copied.txt", LayerEntry.RegularFile.class);
            assertEquals("readable by anyone\n", texts.get(build).get("copied.txt"), build);
            assertEquals("readable by anyone\nchanged\n", texts.get(build).get("written.txt"), build);
            assertEquals("new\nold\n", texts.get(build).get("listed.txt"), build);
            assertTrue(last.keySet().stream().noneMatch(p -> p.startsWith("mnt") || p.startsWith("ctx")),
                    build + ": the mount points and the writes leave no trace: " + last.keySet());
        });
        assertEquals("readable by anyone\n", Files.readString(context.resolve("unmapped.txt")));
        assertEquals(List.of("old"), Files.list(context.resolve("shared")).map(p -> p.getFileName().toString()).toList());
    }

    private static void assertDirectory(String build, Map<String, LayerEntry> layer, String path, int mode, long uid,
            long gid) {
        LayerEntry e = layer.get(path);
        assertNotNull(e, build + ": /" + path + " in " + layer.keySet());
        assertTrue(e instanceof LayerEntry.Directory, build + ": " + e);
        assertEquals(Integer.toOctalString(mode) + " " + uid + ":" + gid, Integer.toOctalString(e.attributes().mode())
                + " " + e.attributes().uid() + ":" + e.attributes().gid(), build + ": /" + path);
    }

    private static Map<String, LayerEntry> layerWith(String build, List<Map<String, LayerEntry>> image, String path,
            Class<? extends LayerEntry> kind) {
        return image.stream().filter(l -> kind.isInstance(l.get(path))).findFirst()
                .orElseGet(() -> fail(build + ": no layer has " + kind.getSimpleName() + " " + path));
    }

    /** The layers of an OCI archive, bottom first, each path → entry; regular files' text of all layers. */
    private void read(String build, Path archive) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive)) {
            LayerReader.read(in, (entry, content) -> {
                if (entry instanceof LayerEntry.RegularFile) {
                    files.put(entry.path(), content.readAllBytes());
                }
            });
        }
        ObjectMapper json = new ObjectMapper();
        String manifest = json.readTree(files.get("index.json")).get("manifests").get(0).get("digest").asText();
        List<Map<String, LayerEntry>> image = new ArrayList<>();
        Map<String, String> text = new HashMap<>();
        for (JsonNode layer : json.readTree(files.get(blob(manifest))).get("layers")) {
            Map<String, LayerEntry> entries = new HashMap<>();
            LayerReader.read(new ByteArrayInputStream(files.get(blob(layer.get("digest").asText()))),
                    (entry, content) -> {
                        entries.put(entry.path(), entry);
                        if (entry instanceof LayerEntry.RegularFile && entry.path().endsWith(".txt")) {
                            text.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    });
            image.add(entries);
        }
        layers.put(build, image);
        texts.put(build, text);
    }

    private static String blob(String digest) {
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }
}
