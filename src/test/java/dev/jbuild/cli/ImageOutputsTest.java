package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.Podman;
import dev.jbuild.testing.TestResources;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds on a busybox base through the command line and checks the results with other tools:
 * skopeo reads the OCI archive, umoci unpacks it, podman loads the Docker archive and runs it,
 * and the files match the context one by one.
 */
@Integration
class ImageOutputsTest {

    @TempDir
    Path temp;

    Path context;
    Path store;
    BusyboxImage busybox;

    @BeforeEach
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox-layout"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        store = temp.resolve("store");
        Files.writeString(context.resolve("hello.txt"), "hello\n");
        Files.writeString(context.resolve("run.sh"), "#!/bin/sh\necho ran\n");
        Files.setAttribute(context.resolve("run.sh"), "unix:mode", 04755);
        Files.createDirectories(context.resolve("tree/empty-dir"));
        Files.writeString(context.resolve("tree/empty-file"), "");
        Files.writeString(context.resolve("tree/data"), "data\n");
        Files.createLink(context.resolve("tree/data-link"), context.resolve("tree/data"));
        Files.createSymbolicLink(context.resolve("tree/sym"), Path.of("data"));
        // Java names user xattrs without their "user." namespace: this sets user.origin.
        Files.getFileAttributeView(context.resolve("tree/data"), UserDefinedFileAttributeView.class)
                .write("origin", ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff}));
        Files.writeString(context.resolve("Dockerfile"), TestResources.text(ImageOutputsTest.class, "setUp.Dockerfile"));
    }

    private CliTest.Result jbuild(String... args) {
        return CliTest.run(args);
    }

    private String build(String... outputs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--root", store.toString(),
                "--build-context", "base=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "-t", "jbuild-test/app:1", "--metadata-file", temp.resolve("metadata.json").toString()));
        for (String output : outputs) {
            args.add("-o");
            args.add(output);
        }
        args.add(context.toString());
        CliTest.Result result = jbuild(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        JsonNode metadata = new ObjectMapper().readTree(temp.resolve("metadata.json").toFile());
        return metadata.get("containerimage.digest").asText();
    }

    @Test
    void skopeoAndUmociReadTheOciArchiveAndTheTreeMatchesTheContext() throws Exception {
        Path archive = temp.resolve("image.tar");
        String digest = build("type=oci,dest=" + archive);

        ExternalTool.Result inspect = ExternalTool.command("skopeo", "inspect", "oci-archive:" + archive).runSuccessfully();
        JsonNode image = new ObjectMapper().readTree(inspect.stdout());
        assertEquals(digest, image.get("Digest").asText());
        assertEquals(4, image.get("Layers").size(), "busybox + three COPY layers (WORKDIR exists in the base)");

        Path layout = Files.createDirectories(temp.resolve("layout"));
        ExternalTool.command("tar", "-xf", archive.toString(), "-C", layout.toString()).runSuccessfully();
        Path bundle = temp.resolve("bundle");
        ExternalTool.command("umoci", "unpack", "--rootless", "--image", layout + ":1", bundle.toString()).runSuccessfully();
        Path rootfs = bundle.resolve("rootfs");
        assertEquals("hello\n", Files.readString(rootfs.resolve("home/app/hello.txt")));
        assertEquals(04755, (int) Files.getAttribute(rootfs.resolve("usr/local/bin/run.sh"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
        assertTrue(Files.isDirectory(rootfs.resolve("tree/empty-dir")));
        assertEquals(0, Files.size(rootfs.resolve("tree/empty-file")));
        assertEquals(Path.of("data"), Files.readSymbolicLink(rootfs.resolve("tree/sym")));
        assertEquals(Files.getAttribute(rootfs.resolve("tree/data"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("tree/data-link"), "unix:ino"), "hard links stay hard links");
        assertTrue(Files.isExecutable(rootfs.resolve("bin/busybox")), "the base image's files are there");

        JsonNode config = new ObjectMapper().readTree(bundle.resolve("config.json").toFile());
        assertEquals("/home/app", config.get("process").get("cwd").asText());
    }

    @Test
    void theRootfsTarKeepsOwnersWithoutRoot() throws Exception {
        Path rootfs = temp.resolve("rootfs.tar");
        build("type=tar,dest=" + rootfs);
        String listing = ExternalTool.command("tar", "--numeric-owner", "-tvf", rootfs.toString()).runSuccessfully().stdout();
        assertTrue(listing.lines().anyMatch(l -> l.contains("1000/1000") && l.endsWith("home/app/hello.txt")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwsr-xr-x 0/0") && l.endsWith("usr/local/bin/run.sh")), listing);
        Map<String, byte[]> xattrs = new HashMap<>();
        try (InputStream in = Files.newInputStream(rootfs)) {
            LayerReader.read(in, (entry, content) -> {
                if (entry.path().equals("tree/data")) {
                    xattrs.putAll(entry.attributes().xattrs());
                }
            });
        }
        Assertions.assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, xattrs.get("user.origin"),
                "binary extended attributes of context files reach the image");
    }

    @Test
    void podmanLoadsTheDockerArchiveAndRunsIt() throws Exception {
        Path archive = temp.resolve("docker.tar");
        build("type=docker,dest=" + archive);
        String imageId = Files.readString(temp.resolve("metadata.json"));
        try (Podman podman = Podman.withPrivateStorage()) {
            String loaded = podman.command("load", "-i", archive.toString()).runSuccessfully().stdout();
            assertTrue(loaded.contains("jbuild-test/app:1"), loaded);
            JsonNode inspect = new ObjectMapper().readTree(
                    podman.command("image", "inspect", "docker.io/jbuild-test/app:1").runSuccessfully().stdout());
            String id = inspect.get(0).get("Id").asText();
            assertTrue(imageId.contains("sha256:" + id), "podman's image ID is our config digest: " + id);
            assertTrue(Podman.canRunContainers(), "podman cannot run containers here: " + Podman.whyContainersCannotRun());
            assertEquals("hello\n", podman.run("docker.io/jbuild-test/app:1").stdout());
            assertEquals("ran\n", podman.run("docker.io/jbuild-test/app:1", "/usr/local/bin/run.sh").stdout());
        }
    }

    @Test
    void theStoreItselfIsAnOciLayoutOthersCanRead() throws Exception {
        String digest = build();
        ExternalTool.Result inspect = ExternalTool.command("skopeo", "inspect",
                "oci:" + store + ":docker.io/jbuild-test/app:1").runSuccessfully();
        assertEquals(digest, new ObjectMapper().readTree(inspect.stdout()).get("Digest").asText());
        CliTest.Result images = jbuild("--root", store.toString(), "images");
        assertTrue(images.out().contains("jbuild-test/app"), images.out());
    }
}
