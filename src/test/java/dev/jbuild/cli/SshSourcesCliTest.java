package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.GitRepository;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.SshGitServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git over SSH through the CLI, against the real OpenSSH server and ssh-agent on loopback: a context, ADD keyed
 * by the commit, a named context, each with {@code --ssh default=SOCKET}, and the server's host key in
 * {@code ~/.ssh/known_hosts} of the user running jbuild (a temporary home: Java's {@code user.home}, which
 * is where jbuild looks, as ssh takes {@code ~} from the passwd entry and not from {@code $HOME}).
 */
@Integration
class SshSourcesCliTest {

    @TempDir
    static Path temp;

    static SshGitServer server;
    static Path served;

    Path home;
    Path context;

    @BeforeAll
    static void start() throws Exception {
        served = Files.createDirectories(temp.resolve("served"));
        server = SshGitServer.start(temp.resolve("sshd"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void setUp(@TempDir Path dir) throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
        context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "A\n");
    }

    /** jbuild with {@code home} as the user's home, as a user with that known_hosts would run it. */
    private CliTest.Result jbuild(String contextArgument, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString(), "build", "--progress=plain"));
        if (out != null) {
            args.addAll(List.of("-o", "type=local,dest=" + out));
        }
        args.addAll(List.of(extra));
        args.add(contextArgument);
        String saved = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            return CliTest.run(args.toArray(String[]::new));
        } finally {
            System.setProperty("user.home", saved);
        }
    }

    private CliTest.Result build(String dockerfile, Path out, String... extra) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return jbuild(context.toString(), out, extra);
    }

    private static void succeeded(CliTest.Result result) {
        assertEquals(0, result.exitCode(), result.out() + result.err());
    }

    @Test
    void aContextOverSshAtATag() throws Exception {
        GitRepository repo = GitRepository.create(served, "site.git", temp);
        repo.commit("site", Map.of("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n", "hello.txt", "v1\n"));
        repo.tag("v1");
        repo.commit("later", Map.of("hello.txt", "v2\n"));
        Path out = temp.resolve("site-out");
        succeeded(jbuild(server.url(repo.bare()) + "#v1", out, "--ssh", "default=" + server.agent()));
        assertEquals("v1\n", Files.readString(out.resolve("hello.txt")));
    }

    @Test
    void addOverSshIsKeyedByTheCommitAndANamedContextComesOverSshToo() throws Exception {
        GitRepository repo = GitRepository.create(served, "app.git", temp);
        repo.commit("one", Map.of("src/main.txt", "v1\n"));
        String url = server.url(repo.bare()) + "#main";
        String dockerfile = "FROM scratch\nCOPY a.txt /a.txt\nCOPY --from=lib lib.txt /lib.txt\nADD " + url + " /src\n";
        String[] flags = {"--ssh", "default=" + server.agent(), "--build-context", "lib=" + url.replace("#main", "#main:src")};
        Files.writeString(repo.work().resolve("src/lib.txt"), "lib\n");
        repo.commit("lib", Map.of());

        CliTest.Result cold = build(dockerfile, temp.resolve("app1"), flags);
        succeeded(cold);
        assertEquals("v1\n", Files.readString(temp.resolve("app1/src/src/main.txt")));
        assertEquals("lib\n", Files.readString(temp.resolve("app1/lib.txt")));

        CliTest.Result warm = build(dockerfile, temp.resolve("app2"), flags);
        succeeded(warm);
        assertEquals(List.of("COPY a.txt /a.txt", "COPY --from=lib lib.txt /lib.txt", "ADD " + url + " /src"),
                CliTest.cachedSteps(warm.err()), "the same commit: cached");

        repo.commit("two", Map.of("src/main.txt", "v2\n"));
        CliTest.Result moved = build(dockerfile, temp.resolve("app3"), flags);
        succeeded(moved);
        assertEquals(List.of("COPY a.txt /a.txt", "COPY --from=lib lib.txt /lib.txt"), CliTest.cachedSteps(moved.err()),
                "a new commit re-runs the ADD only (the named context's lib.txt is the same file)");
        assertEquals("v2\n", Files.readString(temp.resolve("app3/src/src/main.txt")));
    }

    @Test
    void withoutSshDefaultAddAndNamedContextsSayWhatIsMissing() throws Exception {
        GitRepository repo = GitRepository.create(served, "private.git", temp);
        repo.commit("one", Map.of("f.txt", "f\n"));
        String url = server.url(repo.bare());
        CliTest.Result add = build("FROM scratch\nADD " + url + " /src\n", null);
        assertEquals(1, add.exitCode(), add.err());
        assertTrue(add.err().contains("Dockerfile:2") && add.err().contains("over SSH needs an SSH agent")
                && add.err().contains("pass --ssh default"), add.err());

        CliTest.Result named = build("FROM scratch\nCOPY --from=x f.txt /\n", null, "--build-context", "x=" + url,
                "--ssh", "other=" + server.agent());
        assertTrue(named.exitCode() != 0 && named.err().contains("over SSH needs an SSH agent"), named.err());
    }

    @Test
    void anUnknownHostAndARefusedKeyFailTheBuildClearly() throws Exception {
        GitRepository repo = GitRepository.create(served, "guarded.git", temp);
        repo.commit("one", Map.of("f.txt", "f\n"));
        String dockerfile = "FROM scratch\nADD " + server.url(repo.bare()) + " /src\n";

        Files.writeString(home.resolve(".ssh/known_hosts"), "");
        CliTest.Result unknown = build(dockerfile, null, "--ssh", "default=" + server.agent());
        assertEquals(1, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("[127.0.0.1]:" + server.port() + " is not a known host")
                && server.hostKeyFingerprints().stream().anyMatch(unknown.err()::contains)
                && unknown.err().contains(home.resolve(".ssh/known_hosts").toString()),
                unknown.err());

        Files.writeString(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
        CliTest.Result refused = build(dockerfile, null, "--ssh", "default=" + server.strangerAgent());
        assertEquals(1, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("the server refused the keys of the SSH agent"), refused.err());
    }
}
