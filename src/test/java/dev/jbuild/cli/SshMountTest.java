package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RUN --mount=type=ssh} with a real {@code ssh-agent} holding a generated key: {@code ssh-add -l} inside
 * the step (the host's ssh-add and its libraries copied into a busybox image) lists that key, through the
 * default socket and through a {@code target=} with another owner; nothing of it reaches the image.
 */
@Integration
class SshMountTest {

    @TempDir
    static Path temp;

    static Process agent;
    static Path socket;
    static String fingerprint;
    static Path context;
    static BusyboxImage busybox;

    @BeforeAll
    static void startAgent() throws Exception {
        Path sshAgent = ExternalTool.require("ssh-agent");
        ExternalTool.require("ssh-add");
        ExternalTool.require("ssh-keygen");
        Path dir = Files.createDirectories(temp.resolve("agent"));
        socket = dir.resolve("agent.sock");
        agent = new ProcessBuilder(sshAgent.toString(), "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "ssh-agent did not create " + socket);
        Path key = dir.resolve("id_ed25519");
        ExternalTool.command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jbuild-test-key", "-f",
                key.toString()).runSuccessfully();
        ExternalTool.command("env", "SSH_AUTH_SOCK=" + socket, "ssh-add", key.toString()).runSuccessfully();
        fingerprint = ExternalTool.command("env", "SSH_AUTH_SOCK=" + socket, "ssh-add", "-l").runSuccessfully()
                .stdout().strip();
        assertTrue(fingerprint.contains("jbuild-test-key"), fingerprint);

        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        copyWithLibraries(ExternalTool.require("ssh-add"), context.resolve("sysroot"));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The program at /usr/bin/NAME and every library ldd names, at their paths under {@code sysroot}. */
    private static void copyWithLibraries(Path program, Path sysroot) throws Exception {
        List<Path> files = new ArrayList<>(List.of(program));
        for (String line : ExternalTool.command("ldd", program.toString()).runSuccessfully().stdout().split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                if (word.startsWith("/")) {
                    files.add(Path.of(word));
                }
            }
        }
        for (Path file : files) {
            Path target = sysroot.resolve(file.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(file, target); // follows symlinks: the real file under the name the loader looks for
            Files.setAttribute(target, "unix:mode", 0755);
        }
        Path bin = sysroot.resolve("usr/bin/ssh-add");
        if (!program.equals(Path.of("/usr/bin/ssh-add"))) {
            Files.createDirectories(bin.getParent());
            Files.copy(program, bin);
        }
    }

    private CliTest.Result build(String dockerfile, String... extra) throws Exception {
        return RootfsBuild.build(temp, busybox, context, dockerfile, extra);
    }

    private Map<String, LayerEntry> rootfs(Map<String, String> text) throws Exception {
        return RootfsBuild.rootfs(temp, text);
    }

    @Test
    void theStepSeesTheAgentsKeyAndTheImageKeepsNoTraceOfIt() throws Exception {
        String dockerfile = TestResources.text(SshMountTest.class, "theStepSeesTheAgentsKeyAndTheImageKeepsNoTraceOfIt.Dockerfile");
        for (String isolation : new String[] {"auto", "chroot"}) {
            if (isolation.equals("chroot") && new UnixSystem().getUid() != 0) {
                continue; // chroot isolation is for root (ChrootIsolationTest checks the refusal)
            }
            CliTest.Result result = build(dockerfile, "--ssh", "default=" + socket, "--ssh", "other=" + socket,
                    "--isolation=" + isolation);
            assertEquals(0, result.exitCode(), isolation + ": " + result.err());
            Map<String, String> text = new HashMap<>();
            Map<String, LayerEntry> fs = rootfs(text);
            assertEquals(fingerprint + "\n", text.get("keys.txt"), isolation);
            assertEquals(fingerprint + "\n", text.get("tmp/keys-as-user.txt"), isolation);
            assertEquals("/run/buildkit/ssh_agent.0\n", text.get("sock.txt"));
            assertEquals("600 0:0\n", text.get("sock-owner.txt"));
            assertEquals("/tmp/agent\n", text.get("sock2.txt"), "the first ssh mount sets SSH_AUTH_SOCK");
            assertEquals("600 1000:1000\n", text.get("owner2.txt"));
            assertEquals("/run/buildkit/ssh_agent.0\n", text.get("optional.txt"),
                    "an optional mount of an agent nobody forwarded is skipped; SSH_AUTH_SOCK is set as in BuildKit");
            assertFalse(text.get("env.txt").contains("SSH_AUTH_SOCK"), "only steps with an ssh mount see it");
            assertFalse(fs.containsKey("run/buildkit"), "mount points never reach a layer: " + fs.keySet().stream()
                    .filter(p -> p.startsWith("run")).toList());
            assertFalse(fs.containsKey("tmp/agent"));
        }
    }

    @Test
    void aRequiredAgentThatWasNotForwardedFailsTheStep() throws Exception {
        CliTest.Result result = build("FROM busybox\nRUN --mount=type=ssh,id=deploy,required=true true\n");
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("Dockerfile:2") && result.err().contains("--ssh deploy=SOCKET"),
                result.err());
    }

    @Test
    void sshFlagsAreCheckedUpFront() throws Exception {
        // The parser's own cases are api.SshSocketsTest's; here the CLI's usage error for one of them.
        CliTest.Result missing = build("FROM busybox\n", "--ssh", "default=" + temp.resolve("nothing"));
        assertEquals(2, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("--ssh default: cannot use"), missing.err());
    }
}
