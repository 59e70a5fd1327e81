package dev.jbuild.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.GitDaemon;
import dev.jbuild.testing.GitHttpServer;
import dev.jbuild.testing.GitRepository;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against the real git daemon (git://) and git http-backend (smart HTTP) on loopback. */
@Integration
class GitFetcherTest {

    @TempDir
    Path temp;

    private final List<String> warnings = new ArrayList<>();

    private Path base() throws IOException {
        return Files.createDirectories(temp.resolve("served"));
    }

    private GitFetcher fetcher() {
        return new GitFetcher(GitCredentials.none(), SshSettings.none(), warnings::add);
    }

    private GitFetcher.Checkout checkout(GitFetcher fetcher, String url, boolean keep, String dir) throws IOException {
        GitSource source = GitSource.parse(url).orElseThrow();
        String commit = fetcher.resolve(source).orElse(null);
        return fetcher.checkout(source, commit, keep, Files.createDirectories(temp.resolve(dir)));
    }

    @Test
    void branchTagCommitAndSubdirOverGitDaemon() throws Exception {
        GitRepository repo = GitRepository.create(base(), "app.git", temp);
        String first = repo.commit("one", Map.of("a.txt", "1\n", "docs/readme", "r1\n"));
        repo.tag("v1");
        String second = repo.commit("two", Map.of("a.txt", "2\n"));
        try (GitDaemon daemon = GitDaemon.start(base())) {
            GitFetcher fetcher = fetcher();
            String url = daemon.url("app.git");
            assertEquals(Optional.of(second), fetcher.resolve(GitSource.parse(url).orElseThrow()), "no ref: the remote's HEAD");
            assertEquals(Optional.of(second), fetcher.resolve(GitSource.parse(url + "#main").orElseThrow()));
            assertEquals(Optional.of(first), fetcher.resolve(GitSource.parse(url + "#v1").orElseThrow()), "an annotated tag peeled");

            GitFetcher.Checkout head = checkout(fetcher, url, false, "head");
            assertEquals(second, head.commit());
            assertEquals("2\n", Files.readString(head.root().resolve("a.txt")));
            assertFalse(Files.exists(head.root().resolve(".git")), ".git removed unless kept");

            GitFetcher.Checkout tag = checkout(fetcher, url + "#v1:docs", false, "tag");
            assertEquals(first, tag.commit());
            assertEquals("r1\n", Files.readString(tag.root().resolve("readme")));
            assertFalse(Files.exists(tag.root().resolve("a.txt")));

            GitFetcher.Checkout byCommit = checkout(fetcher, url + "#" + first, true, "commit");
            assertEquals("1\n", Files.readString(byCommit.root().resolve("a.txt")));
            assertTrue(Files.isDirectory(byCommit.root().resolve(".git")), "keep-git-dir keeps .git");
            assertTrue(Files.exists(byCommit.root().resolve(".git/shallow")), "the commit alone, fetched by its id");
            assertEquals(Files.getLastModifiedTime(byCommit.root().resolve("a.txt")).toInstant(), byCommit.commitTime(),
                    "files get the commit's time, so a commit gives the same layers");

            GitSource shortId = GitSource.parse(url + "#" + first.substring(0, 10)).orElseThrow();
            assertEquals(Optional.empty(), fetcher.resolve(shortId), "an abbreviated id is known only after a fetch");
            GitFetcher.Checkout abbreviated = fetcher.checkout(shortId, null, false, Files.createDirectories(temp.resolve("short")));
            assertEquals(first, abbreviated.commit());

            IOException missing = assertThrows(IOException.class,
                    () -> fetcher.resolve(GitSource.parse(url + "#nope").orElseThrow()));
            assertTrue(missing.getMessage().contains("does not contain ref nope"), missing.getMessage());
            IOException mismatch = assertThrows(IOException.class,
                    () -> fetcher.resolve(GitSource.parse(url + "#main").orElseThrow().withChecksum(first)));
            assertTrue(mismatch.getMessage().contains("expected checksum to match " + first), mismatch.getMessage());
            assertEquals(Optional.of(second), fetcher.resolve(GitSource.parse(url + "#main").orElseThrow().withChecksum(second.substring(0, 8))));
        }
    }

    @Test
    void submodulesRecursivelyOverSmartHttpWithToken() throws Exception {
        try (GitHttpServer server = GitHttpServer.start(base())) {
            GitRepository inner = GitRepository.create(base(), "inner.git", temp);
            inner.commit("inner", Map.of("deep.txt", "deep\n"));
            GitRepository lib = GitRepository.create(base(), "lib.git", temp);
            lib.commit("lib", Map.of("lib.txt", "lib\n"));
            lib.addSubmodule(server.url("inner.git"), "inner");
            GitRepository app = GitRepository.create(base(), "app.git", temp);
            app.commit("app", Map.of("app.txt", "app\n"));
            String commit = app.addSubmodule(server.url("lib.git"), "vendor/lib");
            String header = "basic " + Base64.getEncoder().encodeToString("x-access-token:s3cret".getBytes());
            server.requireAuthorization(header);

            IOException refused = assertThrows(IOException.class, () -> fetcher().resolve(GitSource.parse(server.url("app.git")).orElseThrow()));
            assertFalse(refused.getMessage().contains("s3cret"));
            assertTrue(server.unauthorizedRequests() > 0);

            Path token = Files.writeString(temp.resolve("token"), "s3cret\n");
            GitFetcher fetcher = new GitFetcher(GitCredentials.fromSecretFiles(Map.of("GIT_AUTH_TOKEN." + server.hostPort(), token)),
                    SshSettings.none(), warnings::add);
            GitFetcher.Checkout checkout = checkout(fetcher, server.url("app.git") + "#main", false, "app");
            assertEquals(commit, checkout.commit());
            assertEquals("lib\n", Files.readString(checkout.root().resolve("vendor/lib/lib.txt")));
            assertEquals("deep\n", Files.readString(checkout.root().resolve("vendor/lib/inner/deep.txt")), "submodules of submodules");
            assertFalse(Files.exists(checkout.root().resolve("vendor/lib/.git")), "a submodule's .git goes too");
            assertFalse(Files.exists(checkout.root().resolve(".git")));
        }
    }

    /** A checksum may name an annotated tag's object as well as its commit, as BuildKit accepts either. */
    @Test
    void aChecksumMayBeTheAnnotatedTagObjectOrTheCommit() throws Exception {
        GitRepository repo = GitRepository.create(base(), "tagged.git", temp);
        String commit = repo.commit("one", Map.of("a.txt", "1\n"));
        repo.tag("v1");
        String tagObject = GitRepository.git(repo.work(), "rev-parse", "v1").trim();
        repo.commit("two", Map.of("a.txt", "2\n"));
        GitRepository.git(repo.bare(), "update-server-info");
        try (GitDaemon daemon = GitDaemon.start(base()); GitHttpServer server = GitHttpServer.start(base())) {
            GitFetcher fetcher = fetcher();
            // Resolved by ls-remote (git daemon), and by the checkout's full fetch (a dumb HTTP server lists no refs).
            for (String url : List.of(daemon.url("tagged.git") + "#v1", server.dumbUrl("tagged.git") + "#v1")) {
                for (String checksum : List.of(tagObject, tagObject.substring(0, 10), commit)) {
                    GitSource source = GitSource.parse(url).orElseThrow().withChecksum(checksum);
                    String resolved = fetcher.resolve(source).orElse(null);
                    GitFetcher.Checkout checkout = fetcher.checkout(source, resolved,
                            false, Files.createTempDirectory(temp, "tagged"));
                    assertEquals(commit, checkout.commit(), url + " " + checksum);
                }
                GitSource wrong = GitSource.parse(url).orElseThrow().withChecksum("0123456789");
                IOException mismatch = assertThrows(IOException.class, () -> fetcher.checkout(wrong, fetcher.resolve(wrong).orElse(null),
                        false, Files.createTempDirectory(temp, "wrong")));
                assertTrue(mismatch.getMessage().contains("expected checksum to match 0123456789, got " + commit), mismatch.getMessage());
            }
        }
    }

    /**
     * A password in the URL is for the fetch only: a kept {@code .git} names the origin (and a relative
     * submodule's URL, resolved against it) with the user and password masked, as BuildKit's, and no file
     * of the checkout holds the secret.
     */
    @Test
    void aKeptGitDirHoldsNoPasswordOfTheUrl() throws Exception {
        try (GitHttpServer server = GitHttpServer.start(base())) {
            GitRepository lib = GitRepository.create(base(), "lib.git", temp);
            lib.commit("lib", Map.of("lib.txt", "lib\n"));
            GitRepository app = GitRepository.create(base(), "app.git", temp);
            app.commit("app", Map.of("app.txt", "app\n"));
            app.addSubmodule("../lib.git", "vendor/lib");
            app.tag("v1");
            server.requireAuthorization("Basic " + Base64.getEncoder().encodeToString("x:t0ken-s3cret".getBytes()));
            String url = server.url("app.git").replace("http://", "http://x:t0ken-s3cret@");

            GitFetcher.Checkout checkout = checkout(fetcher(), url + "#v1", true, "kept");
            assertEquals("lib\n", Files.readString(checkout.root().resolve("vendor/lib/lib.txt")), "the submodule came with the password");
            String config = Files.readString(checkout.root().resolve(".git/config"));
            assertTrue(config.contains("url = " + server.url("app.git").replace("http://", "http://xxxxx:xxxxx@")), config);
            assertFalse(config.contains("autogc"), "the fetches' own setting is not left in the image: " + config);
            List<String> leaking;
            try (var walk = Files.walk(checkout.root())) {
                leaking = walk.filter(Files::isRegularFile).filter(p -> {
                    try {
                        return new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1).contains("t0ken-s3cret");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).map(p -> checkout.root().relativize(p).toString()).toList();
            }
            assertEquals(List.of(), leaking, "files of the checkout that hold the password");
        }
    }

    /** The branch moves between resolve and checkout: the checkout is still the resolved commit, over both transports. */
    @Test
    void aBranchThatMovedAfterResolveStillGivesTheResolvedCommit() throws Exception {
        GitRepository repo = GitRepository.create(base(), "moving.git", temp);
        String first = repo.commit("one", Map.of("v.txt", "v1\n"));
        try (GitDaemon daemon = GitDaemon.start(base()); GitHttpServer server = GitHttpServer.start(base())) {
            List<String> urls = List.of(daemon.url("moving.git") + "#main", server.url("moving.git") + "#main");
            List<GitSource> sources = urls.stream().map(u -> GitSource.parse(u).orElseThrow()).toList();
            GitFetcher fetcher = fetcher();
            List<String> resolved = new ArrayList<>();
            for (GitSource source : sources) {
                resolved.add(fetcher.resolve(source).orElseThrow());
            }
            assertEquals(List.of(first, first), resolved);
            repo.commit("two", Map.of("v.txt", "v2\n"));
            for (int i = 0; i < sources.size(); i++) {
                GitFetcher.Checkout checkout = fetcher.checkout(sources.get(i), first, false,
                        Files.createDirectories(temp.resolve("moved" + i)));
                assertEquals(first, checkout.commit(), urls.get(i));
                assertEquals("v1\n", Files.readString(checkout.root().resolve("v.txt")), urls.get(i));
            }
        }
    }

    @Test
    void aServerWithoutShallowFetchesGetsAFullFetch() throws Exception {
        GitRepository repo = GitRepository.create(base(), "plain.git", temp);
        String first = repo.commit("one", Map.of("f.txt", "1\n"));
        String second = repo.commit("two", Map.of("f.txt", "2\n"));
        GitRepository.git(repo.bare(), "update-server-info");
        try (GitHttpServer server = GitHttpServer.start(base())) {
            GitFetcher.Checkout head = checkout(fetcher(), server.dumbUrl("plain.git") + "#main", true, "dumb-head");
            assertEquals(second, head.commit());
            assertEquals("2\n", Files.readString(head.root().resolve("f.txt")));
            assertFalse(Files.exists(head.root().resolve(".git/shallow")), "the dumb protocol has no shallow fetch");
            GitFetcher.Checkout old = checkout(fetcher(), server.dumbUrl("plain.git") + "#" + first, false, "dumb-old");
            assertEquals("1\n", Files.readString(old.root().resolve("f.txt")));
            assertEquals(second, checkout(fetcher(), server.dumbUrl("plain.git"), false, "dumb-none").commit(), "no ref: HEAD");
            assertEquals(first, checkout(fetcher(), server.dumbUrl("plain.git") + "#" + first.substring(0, 9), false, "dumb-short").commit());
        }
    }

    @Test
    void lfsPointersStayWithAWarning() throws Exception {
        GitRepository repo = GitRepository.create(base(), "lfs.git", temp);
        String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "0".repeat(64) + "\nsize 3\n";
        repo.commit("lfs", Map.of(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n", "big.bin", pointer));
        try (GitDaemon daemon = GitDaemon.start(base())) {
            GitFetcher.Checkout checkout = checkout(fetcher(), daemon.url("lfs.git"), false, "lfs");
            assertEquals(pointer, Files.readString(checkout.root().resolve("big.bin")));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("LFS is not supported"), warnings.get(0));
        }
    }

    @Test
    void symbolicLinksStayLinksAndASubdirCannotLeadOut() throws Exception {
        GitRepository repo = GitRepository.create(base(), "links.git", temp);
        Files.createDirectories(repo.work().resolve("real"));
        Files.createSymbolicLink(repo.work().resolve("out"), Path.of("/etc"));
        Files.createSymbolicLink(repo.work().resolve("dangling"), Path.of("missing/target"));
        repo.commit("links", Map.of("real/f.txt", "f\n"));
        try (GitDaemon daemon = GitDaemon.start(base())) {
            GitFetcher.Checkout checkout = checkout(fetcher(), daemon.url("links.git"), false, "links");
            assertEquals(Path.of("/etc"), Files.readSymbolicLink(checkout.root().resolve("out")));
            assertEquals(Path.of("missing/target"), Files.readSymbolicLink(checkout.root().resolve("dangling")));
            IOException out = assertThrows(IOException.class, () -> checkout(fetcher(), daemon.url("links.git") + "#main:out", false, "out"));
            assertTrue(out.getMessage().contains("subdirectory out not found"), out.getMessage());
            assertEquals("f\n", Files.readString(checkout(fetcher(), daemon.url("links.git") + "#main:real", false, "real").root().resolve("f.txt")));
        }
    }

}
