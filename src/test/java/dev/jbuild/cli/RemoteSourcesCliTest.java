package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.GitDaemon;
import dev.jbuild.testing.GitHttpServer;
import dev.jbuild.testing.GitRepository;
import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git and URL sources through the CLI, against the real git daemon and git http-backend on loopback:
 * ADD of a git repository keyed by its commit, contexts from git and from a tarball URL, named contexts.
 */
@Integration
class RemoteSourcesCliTest {

    @TempDir
    Path temp;

    Path served;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        served = Files.createDirectories(temp.resolve("served"));
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "A\n");
    }

    private CliTest.Result build(String dockerfile, Path out, String... extra) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return buildAt(context.toString(), out, extra);
    }

    private CliTest.Result buildAt(String contextArgument, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString(), "build", "--progress=plain"));
        if (out != null) {
            args.addAll(List.of("-o", "type=local,dest=" + out));
        }
        args.addAll(List.of(extra));
        args.add(contextArgument);
        return CliTest.run(args.toArray(String[]::new));
    }


    private static void succeeded(CliTest.Result result) {
        assertEquals(0, result.exitCode(), result.out() + result.err());
    }

    @Test
    void addGitIsKeyedByTheCommitSoANewCommitRerunsOnlyWhatDependsOnIt() throws Exception {
        GitRepository repo = GitRepository.create(served, "app.git", temp);
        String first = repo.commit("one", Map.of("src/main.txt", "v1\n"));
        try (GitDaemon daemon = GitDaemon.start(served)) {
            String url = daemon.url("app.git") + "#main";
            String dockerfile = "FROM scratch\nCOPY a.txt /a.txt\nADD " + url + " /src\n";
            CliTest.Result cold = build(dockerfile, temp.resolve("out1"));
            succeeded(cold);
            assertEquals("v1\n", Files.readString(temp.resolve("out1/src/src/main.txt")));
            assertFalse(Files.exists(temp.resolve("out1/src/.git")), ".git only with --keep-git-dir");
            assertEquals(List.of(), CliTest.cachedSteps(cold.err()));

            CliTest.Result warm = build(dockerfile, temp.resolve("out2"));
            succeeded(warm);
            assertEquals(List.of("COPY a.txt /a.txt", "ADD " + url + " /src"), CliTest.cachedSteps(warm.err()), "the same commit: cached");

            String second = repo.commit("two", Map.of("src/main.txt", "v2\n"));
            CliTest.Result moved = build(dockerfile, temp.resolve("out3"));
            succeeded(moved);
            assertEquals(List.of("COPY a.txt /a.txt"), CliTest.cachedSteps(moved.err()), "a new commit re-runs the ADD only");
            assertEquals("v2\n", Files.readString(temp.resolve("out3/src/src/main.txt")));

            CliTest.Result history = CliTest.run("--root", temp.resolve("store").toString(), "history", "-n", "1", "--format=json");
            succeeded(history);
            String text = history.out();
            assertTrue(text.contains("\"git://127.0.0.1:") && text.contains("/app.git#main\"") && text.contains(second), text);
            JsonNode parsed = new ObjectMapper().readTree(text);
            assertTrue(parsed.findValues("sha1").stream().anyMatch(v -> v.asText().equals(second)), text);
            assertNotEquals(first, second);
        }
    }

    /**
     * The branch moves after the build first asks for it: every platform of the build still gets the commit
     * the build resolved, as one BuildKit solve resolves a source once.
     */
    @Test
    void everyPlatformOfABuildGetsTheCommitTheBuildResolved() throws Exception {
        GitRepository repo = GitRepository.create(served, "moving.git", temp);
        String first = repo.commit("one", Map.of("v.txt", "v1\n"));
        try (GitHttpServer server = GitHttpServer.start(served)) {
            AtomicBoolean moved = new AtomicBoolean();
            server.afterGitRequest(request -> {
                // After the first upload-pack request: protocol v2 lists the refs there (ls-refs), not in info/refs.
                if (request.endsWith("/git-upload-pack") && moved.compareAndSet(false, true)) {
                    try {
                        repo.commit("two", Map.of("v.txt", "v2\n"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            CliTest.Result result = build("FROM scratch\nADD " + server.url("moving.git") + "#main /src\n",
                    temp.resolve("platforms"), "--platform", "linux/amd64,linux/arm64");
            succeeded(result);
            assertTrue(moved.get(), "the branch moved during the build");
            assertNotEquals(first, repo.head());
            assertEquals("v1\n", Files.readString(temp.resolve("platforms/linux_amd64/src/v.txt")));
            assertEquals("v1\n", Files.readString(temp.resolve("platforms/linux_arm64/src/v.txt")));
        }
    }

    @Test
    void addGitKeepsGitDirAndChecksTheCommit() throws Exception {
        GitRepository repo = GitRepository.create(served, "lib.git", temp);
        String commit = repo.commit("one", Map.of("lib.txt", "lib\n"));
        repo.tag("v1");
        try (GitDaemon daemon = GitDaemon.start(served)) {
            String url = daemon.url("lib.git");
            succeeded(build("FROM scratch\nADD --keep-git-dir --checksum=" + commit + " " + url + "#v1 /lib/\n", temp.resolve("kept")));
            assertEquals("lib\n", Files.readString(temp.resolve("kept/lib/lib.txt")));
            assertTrue(Files.isDirectory(temp.resolve("kept/lib/.git")));

            String wrong = "0".repeat(40);
            CliTest.Result mismatch = build("FROM scratch\nADD --checksum=" + wrong + " " + url + "#v1 /lib/\n", null);
            assertNotEquals(0, mismatch.exitCode());
            assertTrue(mismatch.err().contains("expected checksum to match " + wrong), mismatch.err());

        }
    }

    @Test
    void contextFromGitOverSmartHttpWithTokenSubdirAndDockerfileFlag() throws Exception {
        try (GitHttpServer server = GitHttpServer.start(served)) {
            GitRepository repo = GitRepository.create(served, "site.git", temp);
            repo.commit("site", Map.of("app/Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n",
                    "app/hello.txt", "hello\n", "app/other.Dockerfile", "FROM scratch\nCOPY hello.txt /other.txt\n",
                    "Dockerfile", "FROM scratch\nCOPY .git/HEAD /HEAD\n"));
            server.requireAuthorization("basic " + Base64.getEncoder().encodeToString("x-access-token:t0ken".getBytes()));
            Path token = Files.writeString(temp.resolve("token"), "t0ken");
            String secret = "id=GIT_AUTH_TOKEN,src=" + token;

            CliTest.Result refused = buildAt(server.url("site.git") + "#main:app", null);
            assertNotEquals(0, refused.exitCode());
            assertTrue(refused.err().contains("fetching the build context"), refused.err());

            succeeded(buildAt(server.url("site.git") + "#main:app", temp.resolve("site"), "--secret", secret));
            assertEquals("hello\n", Files.readString(temp.resolve("site/hello.txt")));

            succeeded(buildAt(server.url("site.git") + "#main:app", temp.resolve("other"), "--secret", secret, "-f", "other.Dockerfile"));
            assertEquals("hello\n", Files.readString(temp.resolve("other/other.txt")), "-f is inside the remote context");

            CliTest.Result noGitDir = buildAt(server.url("site.git"), null, "--secret", secret);
            assertNotEquals(0, noGitDir.exitCode(), ".git is removed from a context by default");
            succeeded(buildAt(server.url("site.git"), temp.resolve("head"), "--secret", secret,
                    "--build-arg", "BUILDKIT_CONTEXT_KEEP_GIT_DIR=1"));
            assertTrue(Files.readString(temp.resolve("head/HEAD")).matches("(ref: refs/heads/.*|[0-9a-f]{40})\\n?"));
        }
    }

    @Test
    void contextFromTarballUrlAndDockerfileUrl() throws Exception {
        Path tarred = Files.createDirectories(temp.resolve("tarred"));
        Files.writeString(tarred.resolve("Dockerfile"), "FROM scratch\nCOPY file.txt /file.txt\n");
        Files.writeString(tarred.resolve("file.txt"), "from the tarball\n");
        ExternalTool.command("tar", "-czf", temp.resolve("ctx.tar.gz").toString(), "-C", tarred.toString(), ".").runSuccessfully();
        try (GitHttpServer server = GitHttpServer.start(served)) {
            server.serve("ctx.tar.gz", Files.readAllBytes(temp.resolve("ctx.tar.gz")));
            server.serve("Dockerfile", "FROM scratch\nLABEL from=url\n".getBytes());
            succeeded(buildAt(server.fileUrl("ctx.tar.gz"), temp.resolve("tar")));
            assertEquals("from the tarball\n", Files.readString(temp.resolve("tar/file.txt")));

            CliTest.Result dockerfileOnly = buildAt(server.fileUrl("Dockerfile"), null, "--metadata-file", temp.resolve("meta.json").toString());
            succeeded(dockerfileOnly);

            CliTest.Result missing = buildAt(server.fileUrl("nothing.tar"), null);
            assertNotEquals(0, missing.exitCode());
            assertTrue(missing.err().contains("HTTP 404"), missing.err());

            // A hostile URL cannot fill the heap: text beyond the Dockerfile limit (16 MiB, docs/security.md) is refused.
            server.serve("huge", "#".repeat((16 << 20) + 1).getBytes());
            CliTest.Result huge = buildAt(server.fileUrl("huge"), null);
            assertNotEquals(0, huge.exitCode());
            assertTrue(huge.err().contains("is neither an archive nor a Dockerfile: more than 16 MiB of text"), huge.err());
        }
    }

    /**
     * A remote main context is used as fetched, as BuildKit uses it: its .dockerignore hides nothing (the classic
     * builder applied it), for a git context (also with -f -) and for a tarball.
     */
    @Test
    void theDockerignoreOfARemoteMainContextIsNotApplied() throws Exception {
        Path tarred = Files.createDirectories(temp.resolve("tarred"));
        Files.writeString(tarred.resolve("Dockerfile"), "FROM scratch\nCOPY ig.txt /ig.txt\n");
        Files.writeString(tarred.resolve(".dockerignore"), "ig.txt\n");
        Files.writeString(tarred.resolve("ig.txt"), "listed\n");
        ExternalTool.command("tar", "-cf", temp.resolve("ctx.tar").toString(), "-C", tarred.toString(), ".").runSuccessfully();
        GitRepository repo = GitRepository.create(served, "ignoring.git", temp);
        repo.commit("ignoring", Map.of("Dockerfile", "FROM scratch\nCOPY ig.txt /ig.txt\n", ".dockerignore", "ig.txt\n",
                "ig.txt", "listed\n"));
        try (GitDaemon daemon = GitDaemon.start(served); GitHttpServer server = GitHttpServer.start(served)) {
            server.serve("ctx.tar", Files.readAllBytes(temp.resolve("ctx.tar")));
            succeeded(buildAt(server.fileUrl("ctx.tar"), temp.resolve("tar")));
            assertEquals("listed\n", Files.readString(temp.resolve("tar/ig.txt")));
            succeeded(buildAt(daemon.url("ignoring.git") + "#main", temp.resolve("git")));
            assertEquals("listed\n", Files.readString(temp.resolve("git/ig.txt")));
            List<String> args = List.of("--root", temp.resolve("store").toString(), "build", "--progress=plain", "-o",
                    "type=local,dest=" + temp.resolve("stdin"), "-f", "-", daemon.url("ignoring.git") + "#main");
            CliTest.Result fromStdin = CliTest.runWithStdin("FROM scratch\nCOPY ig.txt /ig.txt\n".getBytes(), args.toArray(String[]::new));
            succeeded(fromStdin);
            assertEquals("listed\n", Files.readString(temp.resolve("stdin/ig.txt")));
        }
        // A context tar on stdin is such a context too (buildx uploads it as one).
        CliTest.Result piped = CliTest.runWithStdin(Files.readAllBytes(temp.resolve("ctx.tar")), "--root",
                temp.resolve("store").toString(), "build", "--progress=plain", "-o", "type=local,dest=" + temp.resolve("piped"), "-");
        succeeded(piped);
        assertEquals("listed\n", Files.readString(temp.resolve("piped/ig.txt")));
    }

    /** Redirects are followed as Go's client follows them (BuildKit): up to 10, for a context, a named context and ADD. */
    @Test
    void urlsFollowUpToTenRedirects() throws Exception {
        Path tarred = Files.createDirectories(temp.resolve("tarred"));
        Files.writeString(tarred.resolve("Dockerfile"), "FROM scratch\nCOPY file.txt /file.txt\n");
        Files.writeString(tarred.resolve("file.txt"), "from the tarball\n");
        ExternalTool.command("tar", "-cf", temp.resolve("ctx.tar").toString(), "-C", tarred.toString(), ".").runSuccessfully();
        try (GitHttpServer server = GitHttpServer.start(served)) {
            server.serve("ctx.tar", Files.readAllBytes(temp.resolve("ctx.tar")));
            server.serve("a.txt", "downloaded\n".getBytes());
            succeeded(buildAt(server.redirectingUrl(4, "ctx.tar"), temp.resolve("four")));
            assertEquals("from the tarball\n", Files.readString(temp.resolve("four/file.txt")));
            succeeded(buildAt(server.redirectingUrl(10, "ctx.tar"), temp.resolve("ten")));

            succeeded(build("FROM scratch\nADD " + server.redirectingUrl(10, "a.txt") + " /added\nCOPY --from=n context /named\n",
                    temp.resolve("add"), "--build-context", "n=" + server.redirectingUrl(7, "a.txt")));
            assertEquals("downloaded\n", Files.readString(temp.resolve("add/added")));
            assertEquals("downloaded\n", Files.readString(temp.resolve("add/named")));

            CliTest.Result tooMany = buildAt(server.redirectingUrl(11, "ctx.tar"), null);
            assertNotEquals(0, tooMany.exitCode());
            assertTrue(tooMany.err().contains("stopped after 10 redirects"), tooMany.err());
            CliTest.Result addTooMany = build("FROM scratch\nADD " + server.redirectingUrl(11, "a.txt") + " /added\n", null);
            assertNotEquals(0, addTooMany.exitCode());
            assertTrue(addTooMany.err().contains("stopped after 10 redirects (the last from " + server.redirectingUrl(1, "a.txt")),
                    addTooMany.err());
        }
    }

    /**
     * A named context from a URL is a file as BuildKit's HTTP source leaves it: mode 0600, dated by Last-Modified
     * (else the epoch), so the layer that copies it is the same on every build (not dated by the download).
     */
    @Test
    void aNamedContextFileHasTheModeAndTimeOfTheDownload() throws Exception {
        try (GitHttpServer server = GitHttpServer.start(served)) {
            server.serve("a.txt", "downloaded\n".getBytes(), "Wed, 21 Oct 2015 07:28:00 GMT");
            server.serve("undated.txt", "undated\n".getBytes());
            String dockerfile = "FROM scratch\nCOPY --from=h / /h/\nCOPY --from=u / /u/\n";
            succeeded(build(dockerfile, temp.resolve("first"), "--build-context", "h=" + server.fileUrl("a.txt"),
                    "--build-context", "u=" + server.fileUrl("undated.txt")));
            Path file = temp.resolve("first/h/context");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(java.time.Instant.parse("2015-10-21T07:28:00Z"), Files.getLastModifiedTime(file).toInstant());
            assertEquals(java.time.Instant.EPOCH, Files.getLastModifiedTime(temp.resolve("first/u/context")).toInstant());

        }
    }

    @Test
    void namedContextsFromGitAndHttp() throws Exception {
        GitRepository repo = GitRepository.create(served, "data.git", temp);
        repo.commit("data", Map.of("data/set.txt", "data\n"));
        try (GitDaemon daemon = GitDaemon.start(served); GitHttpServer server = GitHttpServer.start(served)) {
            server.serve("blob.tar", "not unpacked\n".getBytes());
            CliTest.Result result = build("FROM scratch\nCOPY --from=data set.txt /set.txt\nCOPY --from=blob context /blob\n",
                    temp.resolve("named"), "--build-context", "data=" + daemon.url("data.git") + "#main:data",
                    "--build-context", "blob=" + server.fileUrl("blob.tar"));
            succeeded(result);
            assertEquals("data\n", Files.readString(temp.resolve("named/set.txt")));
            assertEquals("not unpacked\n", Files.readString(temp.resolve("named/blob")), "BuildKit: the download is a file named context");

            // Both are materials of the build: the remote with its commit, the URL with the download's sha256.
            CliTest.Result history = CliTest.run("--root", temp.resolve("store").toString(), "history", "-n", "1", "--format=json");
            succeeded(history);
            JsonNode parsed = new ObjectMapper().readTree(history.out());
            assertTrue(parsed.findValues("sha1").stream().anyMatch(v -> v.asText().equals(repo.head())), history.out());
            assertTrue(history.out().contains(server.fileUrl("blob.tar")), history.out());
            assertTrue(parsed.findValues("sha256").stream().anyMatch(v -> v.asText().equals(
                    dev.jbuild.image.Digest.of("not unpacked\n".getBytes()).hex())), history.out());
        }
    }
}
