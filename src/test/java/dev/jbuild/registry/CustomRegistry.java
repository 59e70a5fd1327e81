package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TempFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CNCF distribution with configuration {@link LocalRegistry} has no variant for: token auth
 * ({@code auth: token} against a {@link TokenServer}) and TLS requiring client certificates
 * ({@code tls.clientcas}). Starts the same Debian binary on 127.0.0.1 and a free port.
 */
final class CustomRegistry implements AutoCloseable {

    private final Path directory;
    private final Process process;
    private final int port;

    private CustomRegistry(Path directory, Process process, int port) {
        this.directory = directory;
        this.process = process;
        this.port = port;
    }

    /** A registry whose config ends with {@code extraYaml} (top-level {@code auth:} or lines under {@code http:}). */
    static CustomRegistry start(Path directory, List<String> httpExtra, List<String> topLevelExtra) throws IOException {
        Path binary = ExternalTool.require(LocalRegistry.BINARY);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> yaml = new ArrayList<>(List.of(
                "version: 0.1",
                "log:",
                "  level: info",
                "storage:",
                "  filesystem:",
                "    rootdirectory: \"" + directory.resolve("storage") + "\"",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: 127.0.0.1:" + port,
                "  secret: jbuild-test-secret"));
        yaml.addAll(httpExtra);
        yaml.addAll(topLevelExtra);
        Path config = directory.resolve("config.yml");
        Files.write(config, yaml);
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("registry.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
        Process process = pb.start();
        CustomRegistry registry = new CustomRegistry(directory, process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the registry exited:\n" + registry.log());
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return registry;
            } catch (IOException e) {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        registry.close();
        fail("the registry did not listen on port " + port + ":\n" + registry.log());
        return null;
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    String log() {
        try {
            return Files.readString(directory.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TempFiles.deleteRecursively(directory.resolve("storage"));
    }
}
