package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.Podman;
import dev.jbuild.testing.ReadableClasspath;
import dev.jbuild.testing.RootlessTestUser;
import dev.jbuild.testing.TestResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A whole build with RUN steps as the unprivileged test user (jbuildtest with a subordinate id range when the
 * suite runs as root, as CI does): jbuild started from a copy of the test classpath that user can read (the
 * shaded jar does not exist yet in the test phase), on a busybox base it was handed. umoci unpacks the result
 * (as root, so ids are real) and the tree must be exactly the base plus the steps' changes — names, types,
 * modes, owners, link targets, hard links, content; podman runs it; and both snapshotters give the same image.
 */
@Integration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessBuildTest {

    static final String EPOCH = "1700000000";

    static final String DOCKERFILE = TestResources.text(RootlessBuildTest.class, "Dockerfile");

    RootlessTestUser user;
    Path work;
    String classpath;
    BusyboxImage busybox;
    Path context;
    final Map<String, Path> images = new HashMap<>();

    @BeforeAll
    void buildAsTheTestUser() throws Exception {
        user = RootlessTestUser.require();
        ExternalTool.require("umoci");
        work = user.createWorkDirectory("jbuild-rootless-build-");
        classpath = ReadableClasspath.copyTo(work.resolve("classpath"));
        busybox = BusyboxImage.write(work.resolve("busybox"), "1.0");
        context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), DOCKERFILE);
        if (!user.name().equals(System.getProperty("user.name"))) {
            ExternalTool.command("chown", "-R", user.name() + ":", work.resolve("busybox").toString(),
                    context.toString()).runSuccessfully();
        }
        for (String snapshotter : List.of("overlay", "copy")) {
            Path out = work.resolve(snapshotter + ".tar");
            ExternalTool.Result result = user.command(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    "-cp", classpath, "dev.jbuild.cli.Main",
                    "--root", work.resolve("store-" + snapshotter).toString(),
                    "build", "--snapshotter=" + snapshotter, "--progress=plain",
                    "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                    "--build-arg", "SOURCE_DATE_EPOCH=" + EPOCH, "-t", "rootless:test",
                    "--iidfile", work.resolve(snapshotter + ".iid").toString(),
                    "-o", "type=oci,dest=" + out, context.toString())
                    .timeout(Duration.ofMinutes(5)).run();
            if (!result.succeeded()) {
                fail("the build as " + user.name() + " failed: " + result.describe());
            }
            images.put(snapshotter, out);
        }
    }

    @AfterAll
    void cleanUp() {
        if (work != null) {
            user.deleteWorkDirectory(work);
        }
    }

    /** What a directory export cannot hold without root (a device node) is a warning, not silently left out. */
    @Test
    void aLocalExportWarnsOfWhatItCouldNotCreate() throws Exception {
        BusyboxImage withDevice = BusyboxImage.writeWithDevice(work.resolve("busybox-dev"), "1.0");
        Path plain = Files.createDirectories(work.resolve("context-dev"));
        Files.writeString(plain.resolve("Dockerfile"), "FROM busybox\n");
        if (!user.name().equals(System.getProperty("user.name"))) {
            ExternalTool.command("chown", "-R", user.name() + ":", withDevice.layoutDirectory().toString(),
                    plain.toString()).runSuccessfully();
        }
        Path out = work.resolve("local-dev");
        ExternalTool.Result result = user.command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-cp", classpath, "dev.jbuild.cli.Main", "--root", work.resolve("store-dev").toString(),
                "build", "-q", "--build-context", "busybox=oci-layout://" + withDevice.layoutDirectory() + ":1.0",
                "-o", "type=local,dest=" + out, plain.toString()).timeout(Duration.ofMinutes(2)).run();
        assertTrue(result.succeeded(), result.describe());
        assertTrue(result.stderr().contains("warning: -o type=local,dest=" + out + ": char device nodes not created"
                + " (not permitted without root): dev/null"), result.stderr());
        assertTrue(Files.isRegularFile(out.resolve("bin/busybox")), "the rest is there");
    }

    @Test
    void bothSnapshottersGiveTheSameImage() throws IOException {
        String overlay = Files.readString(work.resolve("overlay.iid")).strip();
        assertTrue(overlay.startsWith("sha256:"), overlay);
        if (!overlay.equals(Files.readString(work.resolve("copy.iid")).strip())) {
            fail("the snapshotters' images differ: " + layerDifference("overlay", "copy"));
        }
    }

    /** The first layer whose digest differs, and the lines of {@code tar -tv} that differ in it. */
    private String layerDifference(String a, String b) throws IOException {
        List<List<String>> layers = new ArrayList<>();
        List<Path> layouts = new ArrayList<>();
        for (String name : List.of(a, b)) {
            Path layout = Files.createDirectories(work.resolve("diff-" + name));
            ExternalTool.command("tar", "-xf", images.get(name).toString(), "-C", layout.toString()).runSuccessfully();
            ObjectMapper json = new ObjectMapper();
            String manifest = json.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0)
                    .get("digest").asText();
            List<String> digests = new ArrayList<>();
            json.readTree(layout.resolve("blobs/sha256/" + manifest.substring(7)).toFile()).get("layers")
                    .forEach(l -> digests.add(l.get("digest").asText()));
            layers.add(digests);
            layouts.add(layout);
        }
        for (int i = 0; i < Math.min(layers.get(0).size(), layers.get(1).size()); i++) {
            if (!layers.get(0).get(i).equals(layers.get(1).get(i))) {
                List<List<String>> listings = new ArrayList<>();
                for (int j = 0; j < 2; j++) {
                    listings.add(List.of(ExternalTool.command("tar", "--numeric-owner", "--full-time", "-tvzf",
                            layouts.get(j).resolve("blobs/sha256/" + layers.get(j).get(i).substring(7)).toString())
                            .runSuccessfully().stdout().split("\n")));
                }
                List<String> onlyA = new ArrayList<>(listings.get(0));
                onlyA.removeAll(listings.get(1));
                List<String> onlyB = new ArrayList<>(listings.get(1));
                onlyB.removeAll(listings.get(0));
                return "layer " + i + ": only " + a + ": " + onlyA + "; only " + b + ": " + onlyB;
            }
        }
        return "layers " + layers;
    }

    @Test
    void umociUnpacksExactlyTheBasePlusTheChanges() throws Exception {
        Map<String, String> base = unpack(busybox.layoutDirectory(), "1.0", "base");
        Path layout = Files.createDirectories(work.resolve("layout"));
        ExternalTool.command("tar", "-xf", images.get("overlay").toString(), "-C", layout.toString())
                .runSuccessfully();
        Map<String, String> built = unpack(layout, "test", "built");

        Map<String, String> expected = new TreeMap<>(base);
        // RUN 1: 2,000 files
        expected.put("many", "dir 755 0:0");
        for (int i = 1; i <= 2000; i++) {
            expected.put("many/" + i, file(0644, 0, 0, i == 1 ? "content\n" : ""));
        }
        // RUN 2: files and whole directories deleted, a directory replaced
        expected.remove("bin/wget");
        expected.remove("etc/shadow");
        expected.keySet().removeIf(p -> p.equals("home") || p.startsWith("home/") || p.startsWith("usr/"));
        expected.put("usr/new", file(0644, 0, 0, "n\n"));
        // RUN 3: owners, modes, links, setuid/setgid
        expected.put("data", "dir 755 1000:1000");
        expected.put("data/sub", "dir 700 1000:1000");
        expected.put("data/sub/file", file(0640, 65534, 65534, "d\n"));
        expected.put("link", "link -> ../data/sub/file");
        expected.put("dangling", "link -> /nonexistent");
        expected.put("hard1", file(0644, 1000, 65534, "h\n") + " links=2");
        expected.put("hard2", file(0644, 1000, 65534, "h\n") + " links=2");
        expected.put("suid", base.get("bin/busybox").replace("file 755", "file 4755"));
        expected.put("sgid", "dir 2775 0:1000");
        // RUN 4: a user added the way adduser does it
        expected.put("etc/passwd", file(0644, 0, 0, text(busybox, "etc/passwd")
                + "bob:x:1234:1234::/home/bob:/bin/sh\n"));
        expected.put("etc/group", file(0644, 0, 0, text(busybox, "etc/group") + "bob:x:1234:\n"));
        expected.put("home", "dir 755 0:0");
        expected.put("home/bob", "dir 750 1234:1234");
        // RUN 5, as bob
        expected.put("home/bob/mine", file(0644, 1234, 1234, "mine\n"));
        expected.put("home/bob/uid", file(0644, 1234, 1234, "1234\n"));

        List<String> differences = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(built.keySet());
        for (String path : paths) {
            if (!Objects.equals(expected.get(path), built.get(path))) {
                differences.add("/" + path + ": expected " + expected.get(path) + ", umoci unpacked " + built.get(path));
            }
        }
        assertEquals(List.of(), differences);
        Path rootfs = work.resolve("built/rootfs");
        assertEquals(Files.getAttribute(rootfs.resolve("hard1"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("hard2"), "unix:ino"), "one file, two names");
    }

    @Test
    void podmanRunsTheImageAsTheAddedUser() {
        if (!Podman.canRunContainers()) {
            fail("podman cannot run containers here: " + Podman.whyContainersCannotRun());
        }
        try (Podman podman = Podman.withPrivateStorage()) {
            String out = podman.run("oci-archive:" + images.get("copy") + ":test", "sh", "-c",
                    "id; cat /home/bob/mine; stat -c '%a %u:%g %n' /suid /sgid /data/sub; ls /many | wc -l")
                    .stdout();
            assertEquals(String.join("\n",
                    "uid=1234(bob) gid=1234(bob) groups=1234(bob)",
                    "mine",
                    "4755 0:0 /suid",
                    "2775 0:1000 /sgid",
                    "700 1000:1000 /data/sub",
                    "2000", ""), out);
        }
    }

    /** umoci unpack as root: path → "type mode uid:gid [sha256 of content | -> target] [links=n]". */
    private Map<String, String> unpack(Path layout, String tag, String name) throws IOException {
        Path bundle = work.resolve(name);
        ExternalTool.command("umoci", "unpack", "--image", layout + ":" + tag, bundle.toString()).runSuccessfully();
        Path rootfs = bundle.resolve("rootfs");
        Map<String, String> listing = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(rootfs)) {
            for (Path p : walk.toList()) {
                if (p.equals(rootfs)) {
                    continue;
                }
                String rel = rootfs.relativize(p).toString();
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,nlink", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode") & 07777;
                String owner = a.get("uid") + ":" + a.get("gid");
                if (Files.isSymbolicLink(p)) {
                    listing.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    listing.put(rel, "dir " + Integer.toOctalString(mode) + " " + owner);
                } else {
                    int links = (Integer) a.get("nlink");
                    listing.put(rel, "file " + Integer.toOctalString(mode) + " " + owner + " " + sha256(Files.readAllBytes(p))
                            + (links > 1 ? " links=" + links : ""));
                }
            }
        }
        return listing;
    }

    private static String file(int mode, int uid, int gid, String content) {
        return "file " + Integer.toOctalString(mode) + " " + uid + ":" + gid + " "
                + sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    private String text(BusyboxImage image, String path) throws IOException {
        return Files.readString(work.resolve("base/rootfs").resolve(path));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
