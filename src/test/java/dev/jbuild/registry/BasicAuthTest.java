package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Document;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.LocalRegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** htpasswd (Basic) authentication against the real registry. */
@Integration
class BasicAuthTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.withBasicAuth();

    private static final Platform AMD64 = new Platform("linux", "amd64");

    @TempDir
    Path tmp;

    private LocalRegistry registry() {
        return REGISTRY.registry();
    }

    private ImageName name(String repoAndTag) {
        return ImageName.parse(registry().host() + "/" + repoAndTag);
    }

    private Credentials good() {
        return Credentials.basic(registry().requireCredentials().username(), registry().requireCredentials().password());
    }

    @Test
    void explicitCredentialsPushAndPull() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 1, 1234);
        RegistryOptions options = Clients.isolated(tmp).credentials(registry().host(), good()).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            client.push(name("basic/app:1"), image, TestImages.source(store), PushOptions.defaults());
            assertEquals(image.digest(), client.resolve(name("basic/app:1"), AMD64).manifest().digest());
        }
    }

    @Test
    void credentialsFromDockerConfigAndFromTheEnvironment() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 2, 100);
        Path config = registry().writeDockerConfig(tmp.resolve("docker"));
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).dockerConfigFile(config).build())) {
            client.push(name("basic/fromconfig:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        // $DOCKER_CONFIG names the directory.
        RegistryOptions viaEnv = Clients.isolated(tmp).dockerConfigFile(null)
                .environment(Map.of("DOCKER_CONFIG", config.getParent().toString())).build();
        try (RegistryClient client = RegistryClient.create(viaEnv)) {
            assertEquals(image.digest(), client.resolve(name("basic/fromconfig:1"), AMD64).manifest().digest());
        }
        // DOCKER_AUTH_CONFIG carries the config itself (GitLab CI), here with an https:// key.
        String auth = Base64.getEncoder().encodeToString(good().username().concat(":").concat(good().password())
                .getBytes(StandardCharsets.UTF_8));
        String inline = "{\"auths\":{\"https://" + registry().host() + "/v2/\":{\"auth\":\"" + auth + "\"}}}";
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).environment(Map.of("DOCKER_AUTH_CONFIG", inline)).build())) {
            assertEquals(image.digest(), client.resolve(name("basic/fromconfig:1"), AMD64).manifest().digest());
        }
        // REGISTRY_AUTH_FILE, the containers tools' auth.json.
        Path authJson = tmp.resolve("auth.json");
        Files.writeString(authJson, "{\"auths\":{\"" + registry().host() + "\":{\"auth\":\"" + auth + "\"}}}");
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp)
                .environment(Map.of("REGISTRY_AUTH_FILE", authJson.toString())).build())) {
            assertEquals(image.digest(), client.resolve(name("basic/fromconfig:1"), AMD64).manifest().digest());
        }
    }

    @Test
    void anonymousAccessIsRefusedWithAHint() throws Exception {
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            RegistryAuthException e = assertThrows(RegistryAuthException.class, () -> client.resolve(name("basic/app:1"), AMD64));
            assertEquals(401, e.statusCode());
            assertTrue(e.getMessage().contains(registry().host() + " requires authentication"), e.getMessage());
            assertTrue(e.getMessage().contains("jbuild login " + registry().host()), e.getMessage());
            assertTrue(e.getMessage().contains("--creds USER:PASSWORD serves only the images a command names, not base images"),
                    "the hint does not send a FROM's user to --creds, which never reaches base images: " + e.getMessage());
        }
    }

    @Test
    void wrongPasswordNamesTheRegistryAndUserButNotThePassword() throws Exception {
        RegistryOptions options = Clients.isolated(tmp)
                .credentials(registry().host(), Credentials.basic(good().username(), "not-the-password")).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            RegistryAuthException e = assertThrows(RegistryAuthException.class, () -> client.resolve(name("basic/app:1"), AMD64));
            assertTrue(e.getMessage().contains(registry().host() + " rejected the credentials of user '" + good().username() + "'"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
        }
    }

    @Test
    void verifyCredentialsForLogin() throws Exception {
        try (RegistryClient client = RegistryClient.create(Clients.isolated(tmp).build())) {
            client.verifyCredentials(registry().host(), good());
            RegistryAuthException e = assertThrows(RegistryAuthException.class,
                    () -> client.verifyCredentials(registry().host(), Credentials.basic(good().username(), "wrong")));
            assertTrue(e.getMessage().startsWith("logging in to " + registry().host() + " failed: "), e.getMessage());
        }
    }
}
