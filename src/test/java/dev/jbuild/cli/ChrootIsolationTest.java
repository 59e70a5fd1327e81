package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --isolation=chroot}: as real root (CI), the same build gives the same image as the default isolation,
 * both where the machine allows namespaces and where it allows none (forced with the sandbox's test property);
 * as an ordinary user it is refused with an explanation.
 */
@Integration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChrootIsolationTest {

    private static final String FORCE_NO_NAMESPACES = "jbuild.sandbox.chroot.namespaces";

    /** Files, deletions, owners, modes, links, an added user, /etc files, a heredoc script, WORKDIR and USER. */
    static final String SCENARIO = TestResources.text(ChrootIsolationTest.class, "scenario.Dockerfile");

    @TempDir
    static Path temp;

    Path context;
    BusyboxImage busybox;

    @BeforeAll
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "from the context\n");
        Files.writeString(context.resolve("Dockerfile"), SCENARIO);
    }

    private CliTest.Result build(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--root", temp.resolve("store-" + name).toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "--build-arg", "SOURCE_DATE_EPOCH=1700000000",
                "--iidfile", temp.resolve(name + ".iid").toString(),
                "-o", "type=tar,dest=" + temp.resolve(name + ".tar")));
        args.addAll(List.of(extra));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    /** path → type, mode, ids, mtime, link target or content: the flattened image. */
    private Map<String, String> listing(String name) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (InputStream in = Files.newInputStream(temp.resolve(name + ".tar"))) {
            LayerReader.read(in, (entry, content) -> {
                String what = entry.getClass().getSimpleName() + " " + Integer.toOctalString(entry.attributes().mode())
                        + " " + entry.attributes().uid() + ":" + entry.attributes().gid() + " "
                        + entry.attributes().mtime();
                if (entry instanceof LayerEntry.RegularFile) {
                    what += " " + new String(content.readAllBytes(), StandardCharsets.UTF_8).hashCode();
                } else if (entry instanceof LayerEntry.Symlink s) {
                    what += " -> " + s.target();
                } else if (entry instanceof LayerEntry.Hardlink h) {
                    what += " => " + h.target();
                }
                out.put(entry.path(), what);
            });
        }
        return out;
    }

    /** Names only the entries that differ (the listings are long). */
    private void assertSame(Map<String, String> expected, Map<String, String> actual, String what) throws Exception {
        List<String> differences = new ArrayList<>();
        Set<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        for (String path : paths) {
            if (!Objects.equals(expected.get(path), actual.get(path))) {
                differences.add(path + ": default " + expected.get(path) + ", " + what + " " + actual.get(path));
            }
        }
        if (!differences.isEmpty()) {
            Map<String, String> text = new TreeMap<>();
            for (String name : List.of("default", what)) {
                try (InputStream in = Files.newInputStream(temp.resolve(name + ".tar"))) {
                    LayerReader.read(in, (entry, content) -> {
                        if (entry instanceof LayerEntry.RegularFile && differences.stream()
                                .anyMatch(d -> d.startsWith(entry.path() + ":"))) {
                            text.put(name + ":" + entry.path(), new String(content.readAllBytes(),
                                    StandardCharsets.UTF_8));
                        }
                    });
                }
            }
            Assertions.fail(what + " differs from the default isolation: " + differences
                    + (text.isEmpty() ? "" : "\ncontents: " + text));
        }
    }

    @Test
    void chrootGivesTheSameImageAsTheDefaultIsolation() throws Exception {
        boolean root = new UnixSystem().getUid() == 0;
        if (!root) {
            CliTest.Result refused = build("refused", "--isolation=chroot");
            assertEquals(1, refused.exitCode(), refused.err());
            assertTrue(refused.err().contains("--isolation=chroot needs root"), refused.err());
            return;
        }
        CliTest.Result namespaces = build("default", "--snapshotter=copy");
        assertEquals(0, namespaces.exitCode(), namespaces.err());
        CliTest.Result chroot = build("chroot", "--isolation=chroot");
        assertEquals(0, chroot.exitCode(), chroot.err());
        CliTest.Result bare;
        CliTest.Result unshareOnly;
        try {
            // No namespace, and no unshare system call either (a seccomp profile): coreutils chroot.
            System.setProperty(FORCE_NO_NAMESPACES, "none");
            bare = build("bare", "--isolation=chroot");
            // No namespace, but unshare(0) allowed: util-linux unshare --root.
            System.setProperty(FORCE_NO_NAMESPACES, "unshare-root");
            unshareOnly = build("unshare", "--isolation=chroot");
        } finally {
            System.clearProperty(FORCE_NO_NAMESPACES);
        }
        assertEquals(0, bare.exitCode(), bare.err());
        assertEquals(0, unshareOnly.exitCode(), unshareOnly.err());
        assertTrue(bare.err().contains("allows no mount and pid namespaces"), bare.err());

        Map<String, String> expected = listing("default");
        assertSame(expected, listing("chroot"), "chroot");
        assertSame(expected, listing("bare"), "bare");
        assertSame(expected, listing("unshare"), "unshare");
        String image = Files.readString(temp.resolve("default.iid"));
        assertEquals(image, Files.readString(temp.resolve("chroot.iid")), "same layers, same image");
        assertEquals(image, Files.readString(temp.resolve("bare.iid")), "same layers, same image");
        assertEquals(image, Files.readString(temp.resolve("unshare.iid")), "same layers, same image");

        Map<String, String> text = new TreeMap<>();
        try (InputStream in = Files.newInputStream(temp.resolve("bare.tar"))) {
            LayerReader.read(in, (entry, content) -> {
                if (entry instanceof LayerEntry.RegularFile) {
                    text.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
                }
            });
        }
        assertTrue(text.get("etc-files.txt").contains("localhost") && text.get("etc-files.txt").endsWith("jbuild\n"),
                text.get("etc-files.txt"));
        assertTrue(!text.containsKey("etc/hosts"), "the generated /etc/hosts (and the step's change to it) is not committed");
        assertTrue(text.get("script.txt").startsWith("from a script in /dev/pipes/"), text.get("script.txt"));
        assertTrue(text.get("tmp/id.txt").startsWith("uid=1234(bob) gid=1234(bob)")
                && text.get("tmp/id.txt").endsWith("\n/work/dir\n"), text.get("tmp/id.txt"));
    }

    @Test
    void whatChrootWithoutNamespacesCannotDoIsRefusedClearly() throws Exception {
        if (new UnixSystem().getUid() != 0) {
            CliTest.Result refused = build("refused2", "--isolation=chroot");
            assertTrue(refused.err().contains("--isolation=chroot needs root"), refused.err());
            return;
        }
        Path dockerfile = temp.resolve("Dockerfile.limits");
        System.setProperty(FORCE_NO_NAMESPACES, "none");
        try {
            Files.writeString(dockerfile, "FROM busybox\nRUN --mount=type=cache,target=/c true\n");
            CliTest.Result cache = build("cache", "--isolation=chroot", "-f", dockerfile.toString());
            assertEquals(1, cache.exitCode());
            assertTrue(cache.err().contains(":2: RUN failed") && cache.err().contains("needs a mount namespace"),
                    cache.err());
            Files.writeString(dockerfile, "FROM busybox\nRUN --network=none true\n");
            CliTest.Result none = build("none", "--isolation=chroot", "-f", dockerfile.toString());
            assertEquals(1, none.exitCode());
            assertTrue(none.err().contains("--network=none needs a network namespace"), none.err());
        } finally {
            System.clearProperty(FORCE_NO_NAMESPACES);
        }
        CliTest.Result oci = build("oci", "--isolation=oci");
        assertEquals(2, oci.exitCode(), oci.err());
        assertTrue(oci.err().contains("--isolation=oci: not implemented"), oci.err());
    }
}
