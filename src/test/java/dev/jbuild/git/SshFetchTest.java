package dev.jbuild.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.GitRepository;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.SshGitServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git over SSH against the real OpenSSH server and ssh-agent on loopback: the agent's key, the known hosts
 * checked strictly (unknown and changed keys refused, naming the host and the fingerprint), a refused key.
 */
@Integration
class SshFetchTest {

    @TempDir
    static Path temp;

    static SshGitServer server;
    static GitRepository repo;
    static String first;
    static String second;

    @BeforeAll
    static void start() throws Exception {
        Path served = Files.createDirectories(temp.resolve("served"));
        repo = GitRepository.create(served, "app.git", temp);
        first = repo.commit("one", Map.of("a.txt", "1\n", "docs/readme", "r1\n"));
        repo.tag("v1");
        second = repo.commit("two", Map.of("a.txt", "2\n"));
        server = SshGitServer.start(temp.resolve("sshd"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Path knownHosts(String name, String... lines) throws IOException {
        return Files.writeString(temp.resolve(name), String.join("\n", lines) + "\n");
    }

    private static GitFetcher fetcher(Path agent, Path knownHosts) {
        return new GitFetcher(GitCredentials.none(), new SshSettings(agent, List.of(temp.resolve("missing"), knownHosts)), w -> {});
    }

    @Test
    void theAgentsKeyFetchesATagAndABranchFromAKnownHost() throws Exception {
        GitFetcher fetcher = fetcher(server.agent(), knownHosts("known", "# the test server", server.knownHostsLine()));
        String url = server.url(repo.bare());
        GitSource tag = GitSource.parse(url + "#v1:docs").orElseThrow();
        assertEquals(Optional.of(first), fetcher.resolve(tag), "an annotated tag peeled, through ls-remote over SSH");
        GitFetcher.Checkout checkout = fetcher.checkout(tag, first, false, Files.createDirectories(temp.resolve("tag")));
        assertEquals(first, checkout.commit());
        assertEquals("r1\n", Files.readString(checkout.root().resolve("readme")));

        GitSource main = GitSource.parse(url + "#main").orElseThrow();
        GitFetcher.Checkout branch = fetcher.checkout(main, fetcher.resolve(main).orElseThrow(), true,
                Files.createDirectories(temp.resolve("main")));
        assertEquals(second, branch.commit());
        assertEquals("2\n", Files.readString(branch.root().resolve("a.txt")));
        assertTrue(Files.exists(branch.root().resolve(".git/shallow")), "one commit deep over SSH too");
    }

    @Test
    void anRsaKeyFromTheAgentAndAHostKnownOnlyByItsEcdsaKey() throws Exception {
        GitFetcher fetcher = fetcher(server.rsaAgent(), knownHosts("ecdsa-only", server.ecdsaKnownHostsLine()));
        assertEquals(Optional.of(second), fetcher.resolve(GitSource.parse(server.url(repo.bare()) + "#main").orElseThrow()),
                "the host key type known_hosts has is the one asked for; RSA signatures come from the agent");
    }

    @Test
    void withoutAnAgentTheFetchFailsBeforeConnecting() {
        GitFetcher fetcher = new GitFetcher(GitCredentials.none(), new SshSettings(null, List.of()), w -> {});
        for (String url : List.of("git@github.com:moby/buildkit.git", server.url(repo.bare()))) {
            IOException e = assertThrows(IOException.class, () -> fetcher.resolve(GitSource.parse(url).orElseThrow()));
            assertTrue(e.getMessage().contains("over SSH needs an SSH agent") && e.getMessage().contains("--ssh default"),
                    e.getMessage());
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedNamingTheHostAndItsFingerprint() throws Exception {
        GitFetcher fetcher = fetcher(server.agent(), knownHosts("other-hosts", "example.com " + server.knownHostsLine().split(" ", 2)[1]));
        GitSource source = GitSource.parse(server.url(repo.bare()) + "#main").orElseThrow();
        IOException e = assertThrows(IOException.class, () -> fetcher.resolve(source));
        String host = "[127.0.0.1]:" + server.port();
        assertTrue(e.getMessage().contains(host + " is not a known host"), e.getMessage());
        assertTrue(server.hostKeyFingerprints().stream().anyMatch(e.getMessage()::contains), "the key the server offered: " + e.getMessage());
        assertTrue(e.getMessage().contains("ssh-keyscan -p " + server.port() + " 127.0.0.1"), e.getMessage());
        IOException checkout = assertThrows(IOException.class,
                () -> fetcher.checkout(source, first, false, Files.createDirectories(temp.resolve("refused"))));
        assertTrue(checkout.getMessage().contains(host + " is not a known host"), checkout.getMessage());
        assertFalse(Files.readString(temp.resolve("other-hosts")).contains("127.0.0.1"), "nothing is added to known_hosts");
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        GitFetcher fetcher = fetcher(server.agent(), knownHosts("changed", server.wrongKnownHostsLine()));
        IOException e = assertThrows(IOException.class, () -> fetcher.resolve(GitSource.parse(server.url(repo.bare())).orElseThrow()));
        assertTrue(e.getMessage().contains("host key verification failed") && e.getMessage().contains(server.hostKeyFingerprints().get(0))
                && e.getMessage().contains("is not the one the known hosts list"), e.getMessage());
    }

    @Test
    void aKeyTheServerDoesNotAuthorizeFailsAsAuthentication() throws Exception {
        GitFetcher fetcher = fetcher(server.strangerAgent(), knownHosts("known-stranger", server.knownHostsLine()));
        IOException e = assertThrows(IOException.class, () -> fetcher.resolve(GitSource.parse(server.url(repo.bare())).orElseThrow()));
        assertTrue(e.getMessage().contains("the server refused the keys of the SSH agent " + server.strangerAgent()), e.getMessage());
    }
}
