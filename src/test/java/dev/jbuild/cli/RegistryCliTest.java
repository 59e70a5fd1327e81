package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.store.Store;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FROM a registry, --push, pull, push and login through the CLI, against the real CNCF registry. */
@Integration
class RegistryCliTest {

    @TempDir
    Path temp;

    Path context;

    @BeforeEach
    void setUp() throws Exception {
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("hello.txt"), "hello\n");
    }

    private CliTest.Result jbuild(String stdin, String... args) {
        return CliTest.runWithStdin(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static String skopeoDigest(LocalRegistry registry, String reference) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo", "inspect"));
        command.addAll(registry.skopeoOptions(""));
        command.add("docker://" + reference);
        String json = ExternalTool.command(command).runSuccessfully().stdout();
        return new ObjectMapper().readTree(json).get("Digest").asText();
    }

    @Test
    void buildsFromARegistryBasePushesAndPullsIntoAFreshStore() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String base = BusyboxImage.write(temp.resolve("busybox"), "1.0").pushTo(registry);
            Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n");
            String target = registry.reference("team/app", "1");
            Path metadata = temp.resolve("metadata.json");
            CliTest.Result built = jbuild("", "--root", temp.resolve("store").toString(), "-t", target, "--push",
                    "--metadata-file", metadata.toString(), context.toString());
            assertEquals(0, built.exitCode(), built.err());
            assertTrue(built.err().contains("pushed " + registry.host() + "/team/app@sha256:"), built.err());
            assertTrue(built.err().lines().anyMatch(l -> l.matches("#\\d+ pulled sha256:[0-9a-f]{12} .* in .*/s\\)")),
                    "plain progress reports each pulled blob with its rate: " + built.err());
            assertTrue(built.err().lines().anyMatch(l -> l.matches("#\\d+ pushed sha256:[0-9a-f]{12} .*")), built.err());
            // Pull and push are steps without a position in a stage: no "[pull 0/0]".
            assertTrue(built.err().lines().anyMatch(l -> l.equals("#1 pulling " + base)), built.err());
            assertTrue(built.err().lines().anyMatch(l -> l.matches("#\\d+ pushing " + Pattern.quote(target))),
                    built.err());
            assertFalse(built.err().contains("0/0"), built.err());
            assertTrue(built.err().contains("#2 [1/1] COPY hello.txt /hello.txt\n"), built.err());
            String digest = new ObjectMapper().readTree(metadata.toFile()).get("containerimage.digest").asText();
            assertEquals(digest, skopeoDigest(registry, target), "the registry has exactly the built manifest");

            // The base was stored under its name: a second build needs no registry for it.
            CliTest.Result images = jbuild("", "--root", temp.resolve("store").toString(), "images");
            assertTrue(images.out().contains(registry.host() + "/busybox"), images.out());

            Path fresh = temp.resolve("fresh-store");
            CliTest.Result pulled = jbuild("", "--root", fresh.toString(), "pull", target);
            assertEquals(0, pulled.exitCode(), pulled.err());
            assertEquals(registry.host() + "/team/app:1@" + digest, pulled.out().strip());
            // By tag and digest: kept as NAME@DIGEST, as Docker keeps it, and printed with the digest once.
            Path pinnedStore = temp.resolve("pinned-store");
            CliTest.Result pinned = jbuild("", "--root", pinnedStore.toString(), "pull", target + "@" + digest);
            assertEquals(0, pinned.exitCode(), pinned.err());
            assertEquals(registry.host() + "/team/app@" + digest, pinned.out().strip());
            CliTest.Result inspected = jbuild("", "--root", pinnedStore.toString(), "inspect",
                    registry.host() + "/team/app@" + digest);
            assertEquals(0, inspected.exitCode(), inspected.err());
            // A name for one image gives that image for any --platform; it says so (Podman's warning).
            CliTest.Result other = jbuild("", "--root", temp.resolve("other-platform").toString(), "pull", "--platform",
                    "linux/s390x", base);
            assertEquals(0, other.exitCode(), other.err());
            assertTrue(other.err().contains("warning: the image's platform (linux/amd64) does not match the requested"
                    + " platform (linux/s390x)"), other.err());
            assertFalse(pulled.err().contains("does not match"), pulled.err());
            Path rootfs = temp.resolve("rootfs.tar");
            CliTest.Result fromPulled = jbuild("", "--root", fresh.toString(), "save", "-o", rootfs.toString(), target);
            assertEquals(0, fromPulled.exitCode(), fromPulled.err());

            // --build-context NAME=docker-image://REF: FROM NAME uses that image (pulled into a fresh store).
            Files.writeString(context.resolve("Dockerfile"), "FROM app\nCOPY hello.txt /again.txt\n");
            CliTest.Result named = jbuild("", "--root", temp.resolve("third-store").toString(),
                    "--build-context", "app=docker-image://" + target, "-o", "type=tar,dest=" + temp.resolve("named.tar"),
                    context.toString());
            assertEquals(0, named.exitCode(), named.err());
            String listing = ExternalTool.command("tar", "-tf", temp.resolve("named.tar").toString()).runSuccessfully().stdout();
            assertTrue(listing.contains("again.txt") && listing.contains("hello.txt") && listing.contains("bin/busybox"), listing);

            CliTest.Result copied = jbuild("", "--root", fresh.toString(), "push", target, registry.reference("other/copy", "2"));
            assertEquals(0, copied.exitCode(), copied.err());
            assertEquals(digest, skopeoDigest(registry, registry.reference("other/copy", "2")), "push keeps the bytes");
        }
    }

    @Test
    void aPullDownloadsATruncatedLayerAgainAndTheBuildThenWorks() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String base = BusyboxImage.write(temp.resolve("busybox"), "1.0").pushTo(registry);
            Path store = temp.resolve("store");
            assertEquals(0, jbuild("", "--root", store.toString(), "pull", base).exitCode());
            Store opened = Store.open(store);
            Descriptor tagged = opened.resolve(ImageName.parse(base).pinned().toString()).orElseThrow();
            Descriptor layer = ImageDocuments.parseManifest(opened.readBytes(tagged.digest())).value().layers().get(0);
            Path blob = opened.path(layer.digest());
            try (FileChannel channel = FileChannel.open(blob, StandardOpenOption.WRITE)) {
                channel.truncate(layer.size() / 2);
            }
            Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\nCOPY hello.txt /hello.txt\n");
            CliTest.Result broken = jbuild("", "--root", store.toString(), "-q", context.toString());
            assertEquals(1, broken.exitCode(), broken.err());
            assertTrue(broken.err().contains("a size of " + layer.size() + " bytes, but the blob of that digest has "
                    + layer.size() / 2), broken.err());

            CliTest.Result pulled = jbuild("", "--root", store.toString(), "pull", base);

            assertEquals(0, pulled.exitCode(), pulled.err());
            assertEquals(layer.size(), Files.size(blob), "the truncated blob was downloaded again");
            assertEquals(layer.digest(), Digest.of(Files.readAllBytes(blob)));
            CliTest.Result built = jbuild("", "--root", store.toString(), "-q", context.toString());
            assertEquals(0, built.exitCode(), built.err());
        }
    }

    @Test
    void pushSendsAStoredArtifactWhateverItsConfigIs() throws Exception {
        // An OCI artifact (imported from a layout, say) whose config is no image config, nor JSON:
        // push passes the stored documents on byte for byte and never needs to read the config.
        Store store = Store.open(temp.resolve("store"));
        Descriptor config = store.putBytes("application/vnd.example.config.v1+tar", new byte[] {0, 1, 2, 'n', 'o', 't', ' ', '{'});
        Descriptor layer = store.putBytes("application/vnd.example.data.v1", "payload\n".getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.example\","
                + "\"config\":{\"mediaType\":\"" + config.mediaType() + "\",\"digest\":\"" + config.digest() + "\",\"size\":" + config.size()
                + "},\"layers\":[{\"mediaType\":\"" + layer.mediaType() + "\",\"digest\":\"" + layer.digest() + "\",\"size\":" + layer.size()
                + "}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        store.tag(ImageName.parse("artifact:1").toString(), store.putBytes(MediaTypes.OCI_MANIFEST, manifestBytes));
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String target = registry.reference("team/artifact", "1");
            CliTest.Result pushed = jbuild("", "--root", temp.resolve("store").toString(), "push", "artifact:1", target);
            assertEquals(0, pushed.exitCode(), pushed.err());
            List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
            command.addAll(registry.skopeoOptions(""));
            command.add("docker://" + target);
            assertEquals(manifest, ExternalTool.command(command).runSuccessfully().stdout().strip());
            assertEquals(registry.host() + "/team/artifact@" + Digest.of(manifestBytes), pushed.out().strip());
        }
    }

    @Test
    void loginSavesCredentialsThatPushUsesAndLogoutRemovesThem() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startWithBasicAuth()) {
            LocalRegistry.Credentials credentials = registry.requireCredentials();
            Path config = temp.resolve("docker-config");
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
            String target = registry.reference("private/app", "1");
            String store = temp.resolve("store").toString();

            CliTest.Result anonymous = jbuild("", "--root", store, "--config", config.toString(), "-t", target, "--push", context.toString());
            assertEquals(1, anonymous.exitCode());
            assertTrue(anonymous.err().contains(registry.host()), anonymous.err());

            CliTest.Result wrong = jbuild("not-the-password\n", "--config", config.toString(), "login", "-u", credentials.username(),
                    "--password-stdin", registry.host());
            assertEquals(1, wrong.exitCode());
            assertEquals("error: login to " + registry.host() + " failed: " + registry.host() + " rejected the credentials of user '"
                    + credentials.username() + "' (HTTP 401 Unauthorized: UNAUTHORIZED: authentication required); check the user"
                    + " name and password\n", wrong.err());
            assertEquals(1, wrong.err().split("failed", -1).length - 1, "the failure is said once: " + wrong.err());
            CliTest.Result unknownHost = jbuild("x\n", "--config", config.toString(), "login", "-u", "u", "--password-stdin",
                    "nosuch.invalid");
            assertEquals("error: login to nosuch.invalid failed: GET https://nosuch.invalid/v2/: unknown host nosuch.invalid\n",
                    unknownHost.err());
            int refusing;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                refusing = socket.getLocalPort();
            }
            CliTest.Result refused = jbuild("x\n", "--config", config.toString(), "login", "-u", "u", "--password-stdin",
                    "127.0.0.1:" + refusing);
            String failure = "error: login to 127.0.0.1:" + refusing + " failed: GET ";
            assertTrue(refused.err().contains(failure) && refused.err().contains("connection refused (gave up after 5 attempts)"),
                    refused.err());
            assertFalse(refused.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow().contains("logging in"),
                    "the failure is said once: " + refused.err());
            assertFalse(Files.exists(config.resolve("config.json")) && Files.readString(config.resolve("config.json")).contains(registry.host()));

            CliTest.Result login = jbuild(credentials.password() + "\n", "--config", config.toString(), "login", "-u",
                    credentials.username(), "--password-stdin", registry.host());
            assertEquals(0, login.exitCode(), login.err());
            assertEquals("Login Succeeded\n", login.out());
            assertFalse(login.err().contains(credentials.password()) || login.out().contains(credentials.password()));

            CliTest.Result pushed = jbuild("", "--root", store, "--config", config.toString(), "-t", target, "--push", context.toString());
            assertEquals(0, pushed.exitCode(), pushed.err());

            CliTest.Result logout = jbuild("", "--config", config.toString(), "logout", registry.host());
            assertEquals(0, logout.exitCode(), logout.err());
            assertFalse(Files.readString(config.resolve("config.json")).contains(registry.host()));

            CliTest.Result withCreds = jbuild("", "--root", store, "--creds", credentials.colonSeparated(), "push", target,
                    registry.reference("private/app", "2"));
            assertEquals(0, withCreds.exitCode(), withCreds.err());
        }
    }

    /** A web server on a loopback port that answers every request with nginx's welcome page (200, text/html). */
    private static HttpServer webServer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        byte[] page = "<html><head><title>Welcome to nginx!</title></head><body>nginx</body></html>\n".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : page.length);
            if (!head) {
                exchange.getResponseBody().write(page);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aWebServerIsNoRegistryToLogInOrPushTo() throws Exception {
        HttpServer web = webServer();
        try {
            String host = "127.0.0.1:" + web.getAddress().getPort();
            String notARegistry = host + " did not answer as a registry (HTTP 200, text/html): is it a web server or a proxy's login page?";
            Path config = temp.resolve("docker-config");
            CliTest.Result login = jbuild("secret\n", "--config", config.toString(), "login", "-u", "me", "--password-stdin", host);
            assertEquals(1, login.exitCode(), login.err());
            assertEquals("", login.out());
            assertEquals("error: login to " + host + " failed: " + notARegistry + "\n", login.err());
            assertFalse(Files.exists(config.resolve("config.json")) && Files.readString(config.resolve("config.json")).contains(host),
                    "no credentials saved");

            String store = temp.resolve("store").toString();
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
            CliTest.Result built = jbuild("", "--root", store, "-t", host + "/web/app:1", "--push", context.toString());
            assertEquals(1, built.exitCode(), built.err());
            assertTrue(built.err().contains(notARegistry), built.err());
            assertFalse(built.err().contains("pushed " + host), built.err());

            CliTest.Result pushed = jbuild("", "--root", store, "push", host + "/web/app:1", host + "/web/copy:1");
            assertEquals(1, pushed.exitCode(), pushed.err());
            assertTrue(pushed.err().startsWith("error: pushing " + host + "/web/copy:1: "), pushed.err());
            assertTrue(pushed.err().contains(notARegistry), pushed.err());
            assertEquals("", pushed.out());
        } finally {
            web.stop(0);
        }
    }

    @Test
    void pushRefusesATruncatedBlobInTheStoreNamingTheStore() throws Exception {
        Path root = temp.resolve("store");
        Store store = Store.open(root);
        Descriptor config = store.putBytes(MediaTypes.OCI_CONFIG, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8));
        byte[] data = new byte[50_000];
        new java.util.Random(7).nextBytes(data);
        Descriptor layer = store.putBytes("application/vnd.example.data.v1", data);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + config.mediaType() + "\",\"digest\":\"" + config.digest() + "\",\"size\":" + config.size() + "},\"layers\":[{"
                + "\"mediaType\":\"" + layer.mediaType() + "\",\"digest\":\"" + layer.digest() + "\",\"size\":" + layer.size() + "}]}";
        store.tag(ImageName.parse("damaged:1").toString(), store.putBytes(MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8)));
        Path file = store.path(layer.digest());
        file.toFile().setWritable(true);
        Files.write(file, java.util.Arrays.copyOf(data, 20_000));
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String target = registry.reference("team/damaged", "1");
            CliTest.Result pushed = jbuild("", "--root", root.toString(), "push", "damaged:1", target);
            assertEquals(1, pushed.exitCode(), pushed.err());
            assertEquals("error: pushing " + target + ": blob " + layer.digest() + " in the store (" + root
                    + ") is damaged: 20000 bytes, the manifest gives 50000\n", pushed.err());
        }
    }
}
