package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins what the agent writes for a run: the two fstabs, the run script (mounts, exec line with its
 * prlimit/setpriv/unshare or chroot) and the agent's own command line, for a few requests. The golden
 * files under {@code src/test/resources/sandbox/run-plan/} were produced by the code before RunOperation
 * was split; any change to them is a change of behaviour. Nothing is mounted or run: {@code mount},
 * {@code umount} and {@code mknod} are stand-ins that do nothing, {@code cp} and {@code sh} are the host's
 * (the copy snapshotter and the chroot mode's copy-in use them). A mismatch writes the actual text beside
 * the build output ({@code target/run-plan/}) for review.
 */
@Integration // starts cp, sh and stand-in scripts through the sandbox code
class RunPlanTest {
    @TempDir
    Path tmp;

    private Path bin;
    private Path layer;
    private Path context;
    private Map<String, String> tools;

    @BeforeEach
    void setUp() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        tools = new LinkedHashMap<>();
        for (String t : List.of("mount", "umount", "mknod")) {
            Path fake = Files.writeString(bin.resolve(t), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String t : List.of("cp", "sh")) {
            Files.createSymbolicLink(bin.resolve(t), Path.of(which(t)));
        }
        for (String t : List.of("mount", "umount", "mknod", "cp", "sh", "unshare", "setpriv", "env", "prlimit",
                "pivot_root", "hostname", "chroot", "mkfifo")) {
            tools.put(t, bin.resolve(t).toString());
        }
        // The image: one layer with /bin, an /etc/hosts of its own and a link.
        layer = tmp.resolve("layer");
        Files.createDirectories(layer.resolve("bin"));
        Files.createDirectories(layer.resolve("etc"));
        Files.writeString(layer.resolve("etc/hosts"), "image hosts\n");
        Files.createSymbolicLink(layer.resolve("lib"), Path.of("bin"));
        // A build context the bind mounts take from.
        context = tmp.resolve("context");
        Files.createDirectories(context.resolve("src/sub"));
        Files.writeString(context.resolve("src/sub/f"), "x");
        Files.writeString(context.resolve("file.txt"), "y");
    }

    private static String which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return dir + "/" + tool;
            }
        }
        throw new IllegalStateException(tool + " not found");
    }

    private static final IdMapping SUBORDINATE = new IdMapping(IdMapping.Kind.SUBORDINATE, 1000, 1000, 100000, 65536,
            100000, 65536);
    private static final IdMapping SINGLE = new IdMapping(IdMapping.Kind.SINGLE, 1000, 1000, 0, 0, 0, 0);
    private static final IdMapping IDENTITY = new IdMapping(IdMapping.Kind.IDENTITY, 0, 0, 0, 0, 0, 0);

    private AgentProtocol.Request request(String work, IdMapping mapping, List<String> argv, List<String> env,
            String cwd, long uid, long gid, List<Long> groups, String network, List<SandboxMount> mounts,
            List<String> namespaces, List<ResourceLimit> ulimits, long shmSize) {
        return new AgentProtocol.Request("run", tmp.resolve(work).toString(), tools, mapping,
                List.of(layer.toString()), "COPY", argv, env, cwd, uid, gid, groups, "buildhost", network, mounts,
                "127.0.0.1\tlocalhost\n", "nameserver 192.0.2.53\n", List.of(), null, namespaces, ulimits, shmSize);
    }

    /** The run's files and command line, with the temporary directory written {@code $TMP}. */
    private String plan(AgentProtocol.Request request) throws IOException {
        Files.createDirectories(Path.of(request.workDir()));
        Path stage = Files.createDirectories(tmp.resolve("stage"));
        Path devTemplate = Files.createDirectories(tmp.resolve("dev-template"));
        RunOperation op = new RunOperation(request, (stream, bytes, length) -> { },
                t -> new SandboxAgent.Staging(stage, devTemplate));
        String script = op.prepare();
        Path work = Path.of(request.workDir());
        StringBuilder b = new StringBuilder();
        for (String f : List.of("fstab.1", "fstab.2", "run.sh")) {
            Path p = work.resolve(f);
            if (Files.exists(p)) {
                b.append("== ").append(f).append('\n').append(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
            }
        }
        b.append("== command\n");
        for (String word : op.command(script)) {
            b.append(word).append('\n');
        }
        return b.toString().replace(tmp.toString(), "$TMP");
    }

    private void assertPlan(String name, String actual) throws IOException {
        Path golden = Path.of("src/test/resources/sandbox/run-plan", name + ".txt");
        String expected = Files.exists(golden) ? Files.readString(golden) : "(no golden file " + golden + ")";
        if (!expected.equals(actual)) {
            Path out = Files.createDirectories(Path.of("target/run-plan")).resolve(name + ".txt");
            Files.writeString(out, actual);
        }
        assertEquals(expected, actual, name + " (actual text in target/run-plan/" + name + ".txt)");
    }

    @Test
    void aPlainRunAsRootWithSubordinateIds() throws IOException {
        assertPlan("plain", plan(request("work", SUBORDINATE, List.of("/bin/sh", "-c", "echo hi"), List.of("A=b"),
                "/", 0, 0, List.of(), "HOST", List.of(), ChrootSupport.ALL, List.of(), 0)));
    }

    @Test
    void everyMountTypeWithLimitsAUserAndNoNetwork() throws IOException {
        tools.put("ip", bin.resolve("ip").toString());
        Path caches = tmp.resolve("caches");
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret");
        Path socket = tmp.resolve("agent.sock");
        List<SandboxMount> mounts = List.of(
                new SandboxMount.Bind(context.toString(), "src", "/mnt/ro src", false),
                new SandboxMount.Bind(context.toString(), "/", "/mnt/rw", true),
                new SandboxMount.Bind(context.toString(), "file.txt", "/etc/app.conf", true),
                new SandboxMount.Tmpfs("/lib/scratch", 1 << 20, true),
                new SandboxMount.Tmpfs("/dev/extra", 0, false),
                new SandboxMount.Cache(caches.toString(), "go-build", "/root/.cache", 0, 0, 0755, true),
                new SandboxMount.Secret(secret.toString(), "/run/secrets/token", 0, 0, 0400),
                new SandboxMount.SshAgent(socket.toString(), "/run/buildkit/ssh_agent.0", 1000, 1000, 0600));
        // Work directory with a blank: the fstab escapes it.
        assertPlan("mounts", plan(request("work dir", SUBORDINATE, List.of("make", "it's"),
                List.of("PATH=/opt/bin:/bin", "HOME=/home/u"), "/work/dir", 1000, 1000, List.of(10L, 20L), "NONE",
                mounts, ChrootSupport.ALL, List.of(new ResourceLimit("nofile", 256, 512),
                        new ResourceLimit("nproc", 100, 100)), 64 << 20)));
        assertTrue(Files.isDirectory(caches.resolve(ExtraMounts.sha256("go-build"))));
    }

    @Test
    void onlyContainerRootWithoutASubordinateRange() throws IOException {
        assertPlan("single", plan(request("work", SINGLE, List.of("true"), List.of(), "/tmp", 0, 0, List.of(),
                "HOST", List.of(), ChrootSupport.ALL, List.of(), 0)));
    }

    @Test
    void chrootIsolationWhereUnshareIsRefused() throws IOException {
        assertPlan("chroot", plan(request("work", IDENTITY, List.of("id"), List.of(), "/srv", 5, 6, List.of(7L),
                "HOST", List.of(), List.of(ChrootSupport.MOUNT, ChrootSupport.PID), List.of(), 0)));
    }

    @Test
    void chrootWithoutAMountNamespace() throws IOException {
        List<SandboxMount> mounts = List.of(
                new SandboxMount.Bind(context.toString(), "src", "/mnt/src", false));
        assertPlan("bare", plan(request("work", IDENTITY, List.of("ls", "/mnt/src"), List.of(), "/", 0, 0,
                List.of(), "HOST", mounts, List.of(), List.of(), 0)));
        Path merged = tmp.resolve("work/merged");
        assertEquals("127.0.0.1\tlocalhost\n", Files.readString(merged.resolve("etc/hosts")));
        assertEquals("nameserver 192.0.2.53\n", Files.readString(merged.resolve("etc/resolv.conf")));
        assertTrue(Files.isRegularFile(merged.resolve("mnt/src/sub/f")));
    }
}
