package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bearer token flow against the real registry configured with {@code auth: token}: the
 * registry verifies JWTs from {@link TokenServer}, signed with a key made for this test.
 */
@Integration
class TokenAuthTest {

    private static final Platform AMD64 = new Platform("linux", "amd64");

    @TempDir
    static Path shared;

    private static TokenServer tokens;
    private static CustomRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(shared.resolve("registry"));
        tokens = TokenServer.start(dir);
        registry = CustomRegistry.start(dir, List.of(), List.of(
                "auth:",
                "  token:",
                "    realm: " + tokens.realm(),
                "    service: " + TokenServer.SERVICE,
                "    issuer: " + TokenServer.ISSUER,
                "    rootcertbundle: \"" + tokens.certificateFile() + "\""));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @BeforeEach
    void reset() {
        tokens.clearRequests();
        tokens.rejectGet.set(false);
    }

    private ImageName name(String repoAndTag) {
        return ImageName.parse(registry.host() + "/" + repoAndTag);
    }

    private RegistryClient alice() {
        return RegistryClient.create(Clients.isolated(tmp)
                .credentials(registry.host(), Credentials.basic(TokenServer.USER, TokenServer.PASSWORD)).build());
    }

    @Test
    void pushAndPullWithTokensCachedPerScope() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 1, 3000, 4000, 5000);
        try (RegistryClient client = alice()) {
            client.push(name("team/app:1"), image, TestImages.source(store), PushOptions.defaults());
            List<TokenServer.Request> afterPush = tokens.requests();
            assertEquals(1, afterPush.size(), "one token for the whole push: " + afterPush);
            assertEquals("GET", afterPush.get(0).method());
            assertEquals(TokenServer.USER, afterPush.get(0).account());
            assertEquals(List.of("repository:team/app:pull,push"), afterPush.get(0).scopes());

            Store pulled = Store.open(tmp.resolve("pulled"));
            ResolvedImage r = client.resolve(name("team/app:1"), AMD64);
            client.fetchBlobs(name("team/app:1"), r.manifest().value().layers(), TestImages.sink(pulled));
            client.fetchConfig(name("team/app:1"), r.manifest().value());
            List<TokenServer.Request> all = tokens.requests();
            assertEquals(2, all.size(), "one more token, for pull: " + all);
            assertEquals(List.of("repository:team/app:pull"), all.get(1).scopes());
        }
    }

    @Test
    void anonymousPullOfPublicRepositoriesButNotPush() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 2, 100);
        try (RegistryClient client = alice()) {
            client.push(name("public/tool:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        try (RegistryClient anonymous = RegistryClient.create(Clients.isolated(tmp).build())) {
            assertEquals(image.digest(), anonymous.resolve(name("public/tool:1"), AMD64).manifest().digest());
            RegistryAuthException e = assertThrows(RegistryAuthException.class,
                    () -> anonymous.push(name("public/tool:2"), image, TestImages.source(store), PushOptions.defaults()));
            assertTrue(e.getMessage().contains(registry.host() + " requires authentication"), e.getMessage());
            assertTrue(e.getMessage().contains("jbuild login"), e.getMessage());
        }
    }

    @Test
    void wrongPasswordIsReportedByTheTokenServer() throws Exception {
        RegistryOptions options = Clients.isolated(tmp)
                .credentials(registry.host(), Credentials.basic(TokenServer.USER, "guess")).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            RegistryAuthException e = assertThrows(RegistryAuthException.class, () -> client.resolve(name("team/app:1"), AMD64));
            assertTrue(e.getMessage().startsWith("authentication to " + registry.host() + " failed: the token server "
                    + tokens.realm() + " rejected user 'alice'"), e.getMessage());
            assertTrue(e.getMessage().contains("invalid username or password"), e.getMessage());
            assertFalse(e.getMessage().contains("guess"), e.getMessage());
            assertThrows(RegistryAuthException.class,
                    () -> client.verifyCredentials(registry.host(), Credentials.basic(TokenServer.USER, "guess")));
            client.verifyCredentials(registry.host(), Credentials.basic(TokenServer.USER, TokenServer.PASSWORD));
        }
    }

    @Test
    void identityTokenUsesTheOAuth2RefreshGrant() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 3, 100);
        RegistryOptions options = Clients.isolated(tmp)
                .credentials(registry.host(), Credentials.identityToken(TokenServer.REFRESH_TOKEN)).build();
        try (RegistryClient client = RegistryClient.create(options)) {
            client.push(name("team/oauth:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        List<TokenServer.Request> requests = tokens.requests();
        assertEquals(1, requests.size(), requests.toString());
        assertEquals("POST", requests.get(0).method());
        assertEquals("refresh_token", requests.get(0).grant());
    }

    @Test
    void tokenRealmWithoutGetFallsBackToThePasswordGrant() throws Exception {
        tokens.rejectGet.set(true);
        try (RegistryClient client = alice()) {
            assertTrue(client.headManifest(name("team/none:1")).isEmpty());
            client.blobExists(name("team/other:1"), Digest.of(new byte[] {1}));
        }
        List<TokenServer.Request> requests = tokens.requests();
        assertEquals("password", requests.get(0).grant(), requests.toString());
        // The token server handed out a refresh token with the first answer: later tokens use it.
        assertEquals("refresh_token", requests.get(requests.size() - 1).grant(), requests.toString());
    }

    @Test
    void aTokenTheRegistryRefusesIsReplaced() throws Exception {
        tokens.nextTokenForWrongAudience.set(true);
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 4, 100);
        try (RegistryClient client = alice()) {
            client.push(name("team/retoken:1"), image, TestImages.source(store), PushOptions.defaults());
        }
        assertEquals(2, tokens.requests().size(), tokens.requests().toString());
    }

    @Test
    void crossRepositoryMountAsksForPullOnTheSource() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Document<Manifest> image = TestImages.image(store, AMD64, 5, 7000);
        try (RegistryClient client = alice()) {
            client.push(name("team/base:1"), image, TestImages.source(store), PushOptions.defaults());
            tokens.clearRequests();
            Map<Digest, ImageName> sources = new HashMap<>();
            for (Descriptor layer : image.value().layers()) {
                sources.put(layer.digest(), name("team/base:1"));
            }
            PushResult r = client.push(name("team/derived:1"), image, TestImages.source(store),
                    PushOptions.defaults().withMountSources(sources));
            assertEquals(1, r.mounted());
        }
        assertTrue(tokens.requests().stream().anyMatch(t -> t.scopes().contains("repository:team/base:pull")
                && t.scopes().contains("repository:team/derived:pull,push")), tokens.requests().toString());
    }
}
