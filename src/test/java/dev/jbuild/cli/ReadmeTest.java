package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, exactly as written between its {@code first-command} markers, works
 * with no network: every proxy variable points at a local socket that counts connections, and it
 * must count none. Only {@code ./jbuild} is swapped for the same Main on the test classpath (the
 * launcher would run Maven inside Maven's test phase); the command runs in a copy of the
 * checkout's {@code examples/}, so whatever it writes lands in a temporary directory.
 */
@Integration
class ReadmeTest {

    private static final String START = "<!-- first-command -->";
    private static final String END = "<!-- /first-command -->";

    static List<String> firstCommands() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertTrue(start >= 0 && end > start, "README.md marks its first command with " + START + " ... " + END);
        List<String> commands = new ArrayList<>();
        for (String line : readme.substring(start + START.length(), end).split("\n")) {
            if (!line.isBlank()) {
                assertTrue(line.startsWith("    "), "a code block line: " + line);
                commands.add(line.strip());
            }
        }
        assertFalse(commands.isEmpty());
        return commands;
    }

    @Test
    void theFirstCommandBuildsWithNoNetwork(@TempDir Path temp) throws Exception {
        List<String> commands = firstCommands();
        Path work = Files.createDirectories(temp.resolve("checkout"));
        copyTree(Path.of("examples"), work.resolve("examples"));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path launcher = work.resolve("jbuild");
        Files.writeString(launcher, "#!/bin/sh\nexec " + ExternalTool.shellQuoted(List.of(java, "-cp", classpath,
                "dev.jbuild.cli.Main")) + " \"$@\"\n");
        launcher.toFile().setExecutable(true);

        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread counter = new Thread(() -> {
                while (!proxy.isClosed()) {
                    try (Socket ignored = proxy.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            counter.setDaemon(true);
            counter.start();
            String proxyUrl = "http://127.0.0.1:" + proxy.getLocalPort();
            for (String command : commands) {
                ExternalTool tool = ExternalTool.command("bash", "-euc", command).directory(work)
                        .env("JBUILD_ROOT", temp.resolve("store").toString()).env("HOME", temp.toString())
                        .env("DOCKER_CONFIG", temp.resolve("docker").toString())
                        .withoutEnv("NO_PROXY").withoutEnv("no_proxy").withoutEnv("CI");
                for (String name : List.of("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")) {
                    tool = tool.env(name, proxyUrl);
                }
                ExternalTool.Result result = tool.run();
                assertEquals(0, result.exitCode(), command + "\n" + result.stdout() + result.stderr());
                assertTrue(result.stderr().contains("naming to docker.io/library/"), result.stderr());
            }
        }
        assertEquals(0, connections.get(), "the first command contacts no registry or proxy");
        if (commands.get(0).contains("dest=hello.tar")) {
            ExternalTool.Result listing = ExternalTool.command("tar", "tf", work.resolve("hello.tar").toString()).runSuccessfully();
            assertTrue(listing.stdout().contains("index.json") && listing.stdout().contains("oci-layout"), listing.stdout());
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
