package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A real OCI registry for a test: the CNCF distribution binary of Debian's {@code docker-registry}
 * package, listening on 127.0.0.1 on a free port, storing into a temporary directory that is deleted
 * on {@link #close()}. Variants: plain HTTP, htpasswd Basic auth, TLS with a generated CA, both.
 *
 * <pre>{@code
 * try (LocalRegistry registry = LocalRegistry.startWithTls()) {
 *     HttpClient client = registry.httpClient();   // trusts registry.caCertificate()
 *     ... registry.reference("busybox", "1") ...     // "127.0.0.1:PORT/busybox:1"
 * }
 * }</pre>
 *
 * Start one per test class ({@code @BeforeAll}/{@code @AfterAll}): it starts in well under a
 * second, and repositories keep tests apart. Its log is a file, appended to every failure message
 * this class produces ({@link #log()}).
 */
public final class LocalRegistry implements AutoCloseable {

    public static final String BINARY = "docker-registry";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;
    private static final int FAILURE_LOG_LINES = 60;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Basic-auth credentials of the auth variant. */
    public record Credentials(String username, String password) {
        /** {@code user:password}, as {@code skopeo --creds} takes it. */
        public String colonSeparated() {
            return username + ":" + password;
        }

        public String basicAuthorizationHeader() {
            return "Basic " + Base64.getEncoder().encodeToString(colonSeparated().getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Path directory;
    private final Process process;
    private final int port;
    private final TestCertificateAuthority certificates; // null: plain HTTP
    private final Credentials credentials; // null: no auth

    private LocalRegistry(Path directory, Process process, int port, TestCertificateAuthority certificates,
            Credentials credentials) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.certificates = certificates;
        this.credentials = credentials;
    }

    public static LocalRegistry startPlain() {
        return start(false, false);
    }

    public static LocalRegistry startWithBasicAuth() {
        return start(false, true);
    }

    public static LocalRegistry startWithTls() {
        return start(true, false);
    }

    public static LocalRegistry startWithTlsAndBasicAuth() {
        return start(true, true);
    }

    private static LocalRegistry start(boolean tls, boolean basicAuth) {
        Path binary = ExternalTool.require(BINARY);
        Path directory;
        try {
            directory = Files.createTempDirectory("jbuild-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean started = false;
        try {
            TestCertificateAuthority certificates = tls ? TestCertificateAuthority.create(directory.resolve("tls")) : null;
            Credentials credentials = basicAuth ? writeHtpasswd(directory.resolve("htpasswd")) : null;
            LocalRegistry registry = null;
            // The free port is probed, then handed to the registry: another process may take it in
            // between, so a lost race is retried on a new port.
            for (int attempt = 1; registry == null; attempt++) {
                int port = freePort();
                Path config = writeConfig(directory, port, certificates, credentials);
                Process process = launch(binary, config, directory.resolve("registry.log"));
                LocalRegistry candidate = new LocalRegistry(directory, process, port, certificates, credentials);
                if (candidate.awaitReady()) {
                    registry = candidate;
                } else if (attempt >= START_ATTEMPTS || !candidate.log().contains("address already in use")) {
                    candidate.stopProcess();
                    fail("the registry did not answer on " + candidate.baseUri() + "/v2/ within "
                            + STARTUP_TIMEOUT.toSeconds() + " s" + candidate.logForFailure());
                } else {
                    candidate.stopProcess();
                }
            }
            started = true;
            return registry;
        } finally {
            if (!started) {
                TempFiles.deleteRecursively(directory);
            }
        }
    }

    private static Credentials writeHtpasswd(Path file) {
        Credentials credentials = new Credentials("jbuild", randomHex(12));
        // bcrypt (-B): the only hash distribution's htpasswd implementation accepts.
        String line = ExternalTool.command("htpasswd", "-Bbn", credentials.username(), credentials.password())
                .runSuccessfully().stdout().strip();
        try {
            Files.writeString(file, line + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return credentials;
    }

    private static Path writeConfig(Path directory, int port, TestCertificateAuthority certificates,
            Credentials credentials) {
        List<String> yaml = new ArrayList<>(List.of(
                "version: 0.1",
                "log:",
                "  level: info",
                "  formatter: text",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + quoted(directory.resolve("storage")),
                "  delete:",
                "    enabled: true",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: 127.0.0.1:" + port,
                // A fixed secret: the registry warns and makes one up otherwise.
                "  secret: " + randomHex(16),
                "  headers:",
                "    X-Content-Type-Options: [nosniff]"));
        if (certificates != null) {
            yaml.addAll(List.of(
                    "  tls:",
                    "    certificate: " + quoted(certificates.serverCertificate()),
                    "    key: " + quoted(certificates.serverKey())));
        }
        if (credentials != null) {
            yaml.addAll(List.of(
                    "auth:",
                    "  htpasswd:",
                    "    realm: jbuild-test",
                    "    path: " + quoted(directory.resolve("htpasswd"))));
        }
        Path config = directory.resolve("config.yml");
        try {
            Files.write(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    private static Process launch(Path binary, Path config, Path log) {
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The packaged binary reads REGISTRY_* variables as config overrides: none may leak in.
        builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code /v2/} until it answers (200, or 401 with auth); false if the process died or time ran out. */
    private boolean awaitReady() {
        HttpClient client = httpClient();
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return true;
                }
            } catch (ConnectException e) {
                // Not listening yet.
            } catch (IOException e) {
                // Connection reset while starting up, or a TLS handshake the server is not ready for.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
        return false;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}: the registry part of an image reference. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}. */
    public URI baseUri() {
        return URI.create((isTls() ? "https" : "http") + "://" + host());
    }

    /** {@code 127.0.0.1:PORT/repository:tag}. */
    public String reference(String repository, String tag) {
        return host() + "/" + repository + ":" + tag;
    }

    public boolean isTls() {
        return certificates != null;
    }

    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** The credentials of an auth variant; fails the test on a registry without auth. */
    public Credentials requireCredentials() {
        if (credentials == null) {
            fail("this registry has no authentication: start it with startWithBasicAuth()");
        }
        return credentials;
    }

    /** The certificates of a TLS variant; fails the test on a plain-HTTP registry. */
    public TestCertificateAuthority certificates() {
        if (certificates == null) {
            fail("this registry speaks plain HTTP: start it with startWithTls()");
        }
        return certificates;
    }

    /** The CA certificate (PEM) that signed the TLS variant's server certificate. */
    public Path caCertificate() {
        return certificates().caCertificate();
    }

    /** A client for this registry: for TLS, trusting exactly {@link #caCertificate()}; no credentials. */
    public HttpClient httpClient() {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (certificates != null) {
            builder.sslContext(certificates.sslContext());
        }
        return builder.build();
    }

    /**
     * skopeo options to reach this registry. {@code prefix} is {@code ""} for commands with one image
     * ({@code inspect}, {@code list-tags}), {@code "src-"} or {@code "dest-"} for {@code copy}.
     */
    public List<String> skopeoOptions(String prefix) {
        List<String> options = new ArrayList<>();
        if (certificates == null) {
            options.add("--" + prefix + "tls-verify=false");
        } else {
            options.add("--" + prefix + "cert-dir=" + certificates.trustDirectory());
        }
        if (credentials != null) {
            options.add("--" + prefix + "creds=" + credentials.colonSeparated());
        } else {
            // Ignore credentials a developer may have stored for 127.0.0.1 in their auth file.
            options.add("--" + prefix + "no-creds");
        }
        return options;
    }

    /**
     * Writes a Docker {@code config.json} holding this registry's credentials (an empty
     * {@code auths} without auth) into {@code dockerConfigDirectory}, for clients that read
     * {@code $DOCKER_CONFIG}. Returns the file.
     */
    public Path writeDockerConfig(Path dockerConfigDirectory) {
        String auths = credentials == null ? "{}"
                : "{\"" + host() + "\": {\"auth\": \""
                        + Base64.getEncoder().encodeToString(credentials.colonSeparated().getBytes(StandardCharsets.UTF_8))
                        + "\"}}";
        try {
            Files.createDirectories(dockerConfigDirectory);
            Path file = dockerConfigDirectory.resolve("config.json");
            Files.writeString(file, "{\"auths\": " + auths + "}\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the registry keeps blobs and manifests (distribution's filesystem driver layout). */
    public Path storageDirectory() {
        return directory.resolve("storage");
    }

    public Path logFile() {
        return directory.resolve("registry.log");
    }

    /** Everything the registry printed so far. */
    public String log() {
        try {
            return Files.readString(logFile());
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The end of {@link #log()} (it logs every request), framed for appending to an assertion message. */
    public String logForFailure() {
        List<String> lines = log().lines().toList();
        int shown = Math.min(lines.size(), FAILURE_LOG_LINES);
        String omitted = shown < lines.size() ? "(" + (lines.size() - shown) + " earlier lines in the file)\n" : "";
        return "\n--- registry log " + logFile() + " ---\n" + omitted
                + String.join("\n", lines.subList(lines.size() - shown, lines.size())) + "\n";
    }

    /** Stops the registry (SIGTERM, then SIGKILL) and deletes its storage, config and certificates. */
    @Override
    public void close() {
        stopProcess();
        TempFiles.deleteRecursively(directory);
    }

    private void stopProcess() {
        ExternalTool.stop(process);
    }

    @Override
    public String toString() {
        return "LocalRegistry[" + baseUri() + (credentials != null ? ", basic auth" : "") + "]";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** A YAML double-quoted scalar: temp paths may hold characters YAML treats specially. */
    private static String quoted(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
