package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Podman;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a jbuild process takes from its environment and surroundings: {@code $HOME}, podman's
 * auth.json, whether standard output is a terminal (under a real pseudo-terminal from
 * {@code script}), and the engine on the PATH that {@code --load} uses.
 */
@Integration
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EnvironmentProcessTest {

    /** Variables that would choose the store or credentials for the process instead of the ones under test. */
    private static final List<String> CHOOSERS = List.of("JBUILD_ROOT", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
            "DOCKER_CONFIG", "DOCKER_AUTH_CONFIG", "REGISTRY_AUTH_FILE", "DOCKER_HOST", "DOCKER_CONTEXT");

    @TempDir
    Path temp;

    private Path context;

    @BeforeEach
    void context() throws Exception {
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
        Files.writeString(context.resolve("a"), "a\n");
    }

    private static List<String> jbuildCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "dev.jbuild.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private ExternalTool jbuild(String... args) {
        ExternalTool tool = ExternalTool.command(jbuildCommand(args)).timeout(Duration.ofSeconds(120));
        for (String name : CHOOSERS) {
            tool = tool.withoutEnv(name);
        }
        return tool;
    }

    /**
     * Behind a proxy, ADD of a URL goes through HTTP_PROXY as registry requests do (buildkitd's sources do too): the
     * host below resolves nowhere, so only the proxy, a loopback server answering in its place, can serve it.
     */
    @Test
    void addOfAUrlGoesThroughTheEnvironmentsProxy() throws Exception {
        HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> asked = new CopyOnWriteArrayList<>();
        proxy.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().toString());
            byte[] body = "through the proxy\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        proxy.start();
        try {
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nADD http://downloads.invalid/tool.txt /tool.txt\n");
            ExternalTool.Result built = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                    "-o", "type=local,dest=" + temp.resolve("out"), context.toString())
                    .env("HTTP_PROXY", "http://127.0.0.1:" + proxy.getAddress().getPort()).run();
            assertEquals(0, built.exitCode(), built.describe());
            assertEquals("through the proxy\n", Files.readString(temp.resolve("out/tool.txt")));
            assertEquals(List.of("http://downloads.invalid/tool.txt"), asked);
        } finally {
            proxy.stop(0);
        }
    }

    /** CI containers and pods run as uids without a passwd home: $HOME holds the store and ~/.docker/config.json. */
    @Test
    void homeHoldsTheStoreAndTheDockerConfig() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithBasicAuth()) {
            Path home = Files.createDirectories(temp.resolve("home"));
            registry.writeDockerConfig(home.resolve(".docker"));
            String target = registry.reference("team/app", "1");
            ExternalTool.Result built = jbuild("build", "--progress=plain", "-t", target, "--push", context.toString())
                    .env("HOME", home.toString()).run();
            assertEquals(0, built.exitCode(), built.describe());
            assertTrue(Files.isRegularFile(home.resolve(".local/share/jbuild/index.json")), "the store is under $HOME");
            assertTrue(Files.readString(home.resolve(".local/share/jbuild/index.json")).contains("team/app"));
        }
    }

    /** podman login writes ${XDG_RUNTIME_DIR}/containers/auth.json; a push reads it without REGISTRY_AUTH_FILE. */
    @Test
    void podmansAuthFileIsReadAfterDockersConfig() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithBasicAuth()) {
            Path home = Files.createDirectories(temp.resolve("home"));
            Path runtime = Files.createDirectories(temp.resolve("run"));
            Path containers = runtime.resolve("containers");
            Files.move(registry.writeDockerConfig(containers), containers.resolve("auth.json"));
            String target = registry.reference("team/podman-login", "1");
            ExternalTool.Result built = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                    "-t", target, "--push", context.toString())
                    .env("HOME", home.toString()).env("XDG_RUNTIME_DIR", runtime.toString()).run();
            assertEquals(0, built.exitCode(), built.describe());

            // $XDG_CONFIG_HOME/containers/auth.json is the next place.
            Path config = Files.createDirectories(temp.resolve("config"));
            Files.move(containers.resolve("auth.json"), Files.createDirectories(config.resolve("containers")).resolve("auth.json"));
            ExternalTool.Result second = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                    "-t", registry.reference("team/podman-login", "2"), "--push", context.toString())
                    .env("HOME", home.toString()).env("XDG_RUNTIME_DIR", runtime.toString())
                    .env("XDG_CONFIG_HOME", config.toString()).run();
            assertEquals(0, second.exitCode(), second.describe());
        }
    }

    /** buildx refuses to write an archive to a terminal; `script` gives the process a real pseudo-terminal. */
    @Test
    void archiveToATerminalIsRefused() {
        for (String output : List.of("type=docker", "type=oci,dest=-", "type=tar", "-")) {
            String line = ExternalTool.shellQuoted(jbuildCommand("--root", temp.resolve("store").toString(), "build",
                    "-o", output, context.toString()));
            ExternalTool.Result underTty = ExternalTool.command("script", "-qec", line, "/dev/null")
                    .timeout(Duration.ofSeconds(120)).run();
            assertEquals(ExitCodes.USAGE, underTty.exitCode(), output + ": " + underTty.describe());
            assertTrue(underTty.stdout().contains("refusing to write to console"), output + ": " + underTty.describe());
        }
        // Redirected, the same command writes the archive.
        ExternalTool.Result piped = jbuild("--root", temp.resolve("store").toString(), "build", "-q", "-o", "type=tar",
                context.toString()).run();
        assertEquals(0, piped.exitCode(), piped.describe());
        assertTrue(piped.stdout().contains("ustar"), "a tar on standard output");
    }

    /** docker save's refusal, under a real pseudo-terminal from {@code script}; with -o or redirected it writes. */
    @Test
    void saveToATerminalIsRefused() {
        String store = temp.resolve("store").toString();
        assertEquals(0, jbuild("--root", store, "build", "-q", "-t", "env:1", context.toString()).run().exitCode());
        ExternalTool.Result underTty = ExternalTool.command("script", "-qec",
                ExternalTool.shellQuoted(jbuildCommand("--root", store, "save", "env:1")), "/dev/null")
                .timeout(Duration.ofSeconds(120)).run();
        assertEquals(ExitCodes.USAGE, underTty.exitCode(), underTty.describe());
        assertTrue(underTty.stdout().contains("cowardly refusing to save to a terminal. Use the -o flag or redirect"),
                underTty.describe());
        ExternalTool.Result piped = jbuild("--root", store, "save", "env:1").run();
        assertEquals(0, piped.exitCode(), piped.describe());
        assertTrue(piped.stdout().contains("ustar"), "a tar on standard output");
    }

    /**
     * {@code -o /dev/stdout} writes into the process's standard output (a pipe here) instead of replacing the
     * link: the reader gets as many bytes as a file export holds. The destination is a link of the test's own
     * to /dev/stdout, so that without the fix only that link would be replaced, never the system's.
     */
    @Test
    void archivesToDevStdoutReachThePipe() throws Exception {
        String store = temp.resolve("store").toString();
        Path stdout = Files.createSymbolicLink(temp.resolve("stdout"), Path.of("/dev/stdout"));
        assertEquals(0, jbuild("--root", store, "build", "-q", "-t", "env:1", "-o", "type=oci,dest=" + temp.resolve("built.tar"),
                context.toString()).run().exitCode());
        assertEquals(0, jbuild("--root", store, "save", "-o", temp.resolve("saved.tar").toString(), "env:1").run().exitCode());
        for (List<String> command : List.of(
                // Not -q, which prints the image ID on standard output.
                jbuildCommand("--root", store, "build", "--progress=plain", "-o", "type=oci,dest=" + stdout, context.toString()),
                jbuildCommand("--root", store, "save", "-o", stdout.toString(), "env:1"))) {
            ExternalTool.Result counted = ExternalTool.command("sh", "-c", ExternalTool.shellQuoted(command) + " | wc -c")
                    .timeout(Duration.ofSeconds(120)).run();
            assertEquals(0, counted.exitCode(), counted.describe());
            Path file = temp.resolve(command.contains("save") ? "saved.tar" : "built.tar");
            assertEquals(Files.size(file), Long.parseLong(counted.stdout().strip()), counted.describe());
            assertTrue(Files.isSymbolicLink(stdout), "the link stays: " + counted.describe());
        }
        Files.delete(stdout); // before @TempDir's clean-up, which would warn about a link out of it
    }

    /**
     * Log output is for --debug only: retries against a registry that refuses connections are reported once
     * each, as jbuild's own {@code warning:} lines, with no SLF4J line (from any thread) beside them; with
     * {@code JBUILD_DEBUG=1} the SLF4J lines are there too.
     */
    @Test
    void registryRetriesPrintWarningsAndNoLogLinesUnlessDebugging() throws Exception {
        int refusing;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = socket.getLocalPort(); // closed below: connections to it are refused
        }
        Files.writeString(context.resolve("Dockerfile"), "FROM 127.0.0.1:" + refusing + "/nobody/base:1\nCOPY a /a\n");
        Path home = Files.createDirectories(temp.resolve("home"));
        Pattern slf4j = Pattern.compile(
                ".*\\b(TRACE|DEBUG|INFO|WARN|ERROR) dev\\.jbuild\\..*|.*\\[(main|jbuild-[^\\]]*)\\].*");

        ExternalTool.Result quiet = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                context.toString()).env("HOME", home.toString()).withoutEnv("JBUILD_DEBUG").run();
        assertEquals(ExitCodes.BUILD_FAILED, quiet.exitCode(), quiet.describe());
        List<String> warnings = quiet.stderr().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertTrue(warnings.size() >= 2 && warnings.stream().allMatch(l -> l.contains("connection refused")), quiet.describe());
        assertEquals(List.of(), quiet.stderr().lines().filter(l -> slf4j.matcher(l).matches()).toList(), quiet.describe());

        ExternalTool.Result debug = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                context.toString()).env("HOME", home.toString()).env("JBUILD_DEBUG", "1").run();
        assertEquals(ExitCodes.BUILD_FAILED, debug.exitCode(), debug.describe());
        assertTrue(debug.stderr().lines().anyMatch(l -> l.matches(".*\\[[^\\]]+\\] DEBUG dev\\.jbuild\\.registry\\.RetryPolicy - .*")),
                debug.describe());
        assertTrue(debug.stderr().lines().anyMatch(l -> l.startsWith("warning: ") && l.contains("connection refused")), debug.describe());
    }

    /** --load with a real podman (its private store), found on the PATH; without an engine, what to use instead. */
    @Test
    void loadSendsTheImageToPodman() throws Exception {
        try (Podman podman = Podman.withPrivateStorage()) {
            // podman is run as found on the PATH; storage.conf points it at the test's private store.
            Path storageConf = temp.resolve("storage.conf");
            Files.writeString(storageConf, "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + podman.storageDirectory().resolve("root")
                    + "\"\nrunroot = \"" + podman.storageDirectory().resolve("run") + "\"\n");
            Path bin = Files.createDirectories(temp.resolve("bin"));
            Files.createSymbolicLink(bin.resolve("podman"), ExternalTool.require("podman"));
            ExternalTool.Result loaded = jbuild("--root", temp.resolve("store").toString(), "build", "--progress=plain",
                    "-t", "loaded/app:1", "--load", context.toString())
                    .env("PATH", bin + ":/usr/sbin:/sbin").env("CONTAINERS_STORAGE_CONF", storageConf.toString()).run();
            assertEquals(0, loaded.exitCode(), loaded.describe());
            assertTrue(loaded.stderr().contains("podman: "), loaded.describe());
            ExternalTool.Result images = podman.command("images", "--format", "{{.Repository}}:{{.Tag}}").runSuccessfully();
            assertTrue(images.stdout().contains("localhost/loaded/app:1") || images.stdout().contains("docker.io/loaded/app:1"),
                    images.stdout());

            ExternalTool.Result none = jbuild("--root", temp.resolve("store").toString(), "build", "--load", context.toString())
                    .env("PATH", "").run();
            assertEquals(ExitCodes.ENVIRONMENT, none.exitCode(), none.describe());
            assertTrue(none.stderr().contains("-o type=docker,dest=FILE"), none.describe());
            assertFalse(none.stderr().contains("#1 "), "refused before building: " + none.stderr());
        }
    }
}
