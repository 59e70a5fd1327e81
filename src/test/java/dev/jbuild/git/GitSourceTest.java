package dev.jbuild.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

/** BuildKit's git reference forms (dfgitutil.ParseGitRef and its tests), in our own cases. */
class GitSourceTest {

    private static GitSource parse(String text) {
        return GitSource.parse(text).orElseThrow();
    }

    @Test
    void httpsNeedsDotGitInThePath() {
        assertTrue(GitSource.isGit("https://github.com/moby/buildkit.git"));
        assertTrue(GitSource.isGit("https://github.com/moby/buildkit.git#main:docs"));
        assertTrue(GitSource.isGit("HTTP://example.com/repo.git?ref=v1"));
        assertFalse(GitSource.isGit("https://github.com/moby/buildkit"));
        assertFalse(GitSource.isGit("https://example.com/ctx.tar.gz"));
        assertFalse(GitSource.isGit("https://example.com/x#a.git"), "the fragment is not the path");
        assertEquals(Optional.empty(), GitSource.parse("https://example.com/ctx.tar.gz"));
    }

    @Test
    void gitSshAndScpStyleAreGitByScheme() {
        assertTrue(GitSource.isGit("git://example.com/repo"));
        assertTrue(GitSource.isGit("ssh://git@example.com/repo"));
        assertTrue(GitSource.isGit("git@github.com:moby/buildkit.git"));
        assertFalse(GitSource.isGit("ftp://example.com/repo.git"));
        assertFalse(GitSource.isGit("./dir"));
        assertFalse(GitSource.isGit("dir:with:colons"));
        GitSource scp = parse("git@github.com:moby/buildkit.git#v0.13:frontend");
        assertEquals("git@github.com:moby/buildkit.git", scp.remote());
        assertEquals("ssh", scp.scheme());
        assertEquals("github.com", scp.host());
        assertEquals("v0.13", scp.ref());
        assertEquals("frontend", scp.subdir());
        assertTrue(scp.isSsh());
    }

    /**
     * What the SSH transport connects to: the user and port of the URL, port 22 for scp-style (which has no
     * port), and the known_hosts name of the host, {@code host} or {@code [host]:port}. The end-to-end tests use
     * {@code ssh://} because their server cannot listen on 22; scp-style reaches the same transport.
     */
    @Test
    void sshRemotesGiveTheTransportTheirUserPortAndKnownHostsName() throws Exception {
        URIish scp = new URIish(parse("git@github.com:moby/buildkit.git#main").remote());
        assertEquals("ssh", new URIish("ssh://x@h/p").getScheme());
        assertEquals("git", scp.getUser());
        assertEquals("github.com", scp.getHost());
        assertEquals(-1, scp.getPort());
        assertEquals("moby/buildkit.git", scp.getPath());
        assertEquals("github.com", KnownHosts.connectAddress(scp.getHost(), scp.getPort()));

        GitSource url = parse("ssh://deploy@git.example.com:2222/srv/app.git?ref=v1");
        assertEquals("ssh://deploy@git.example.com:2222/srv/app.git", url.remote());
        assertEquals("git.example.com:2222", url.host());
        URIish uri = new URIish(url.remote());
        assertEquals("deploy", uri.getUser());
        assertEquals(2222, uri.getPort());
        assertEquals("/srv/app.git", uri.getPath());
        assertEquals("[git.example.com]:2222", KnownHosts.connectAddress(uri.getHost(), uri.getPort()));
        assertEquals("git.example.com", KnownHosts.connectAddress("git.example.com", 22), "port 22 is the bare name");
        assertEquals("ssh://git.example.com:2222/srv/app.git#v1", url.materialUri(), "no user name in provenance");
    }

    @Test
    void fragmentIsRefAndSubdir() {
        GitSource plain = parse("https://host:8443/org/repo.git");
        assertEquals("https://host:8443/org/repo.git", plain.remote());
        assertEquals("host:8443", plain.host());
        assertNull(plain.ref());
        assertEquals("", plain.subdir());
        GitSource both = parse("https://host/org/repo.git#refs/tags/v1:a/./b/../c/");
        assertEquals("refs/tags/v1", both.ref());
        assertEquals("a/c", both.subdir());
        assertEquals("", parse("git://h/r#main:../..").subdir(), "a subdir cannot climb out of the repository");
        assertEquals("sub", parse("git://h/r#:sub").subdir());
        assertNull(parse("git://h/r#:sub").ref());
    }

    @Test
    void queryFormAsBuildKit() {
        GitSource q = parse("https://host/repo.git?tag=v1&subdir=docs&keep-git-dir&submodules=false&checksum=abc123");
        assertEquals("https://host/repo.git", q.remote());
        assertEquals("refs/tags/v1", q.ref());
        assertEquals("docs", q.subdir());
        assertEquals(Boolean.TRUE, q.keepGitDir());
        assertFalse(q.submodules());
        assertEquals("abc123", q.checksum());
        assertEquals("refs/heads/dev", parse("https://host/repo.git?branch=dev").ref());
        assertEquals("main", parse("https://host/repo.git?ref=main#main").ref());
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?ref=a#b"));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?branch=a&tag=b"));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?foo=1"));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?ref="));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?ref=a&ref=b"));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?keep-git-dir=maybe"));
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?checksum=xyz"));
        assertEquals("main", parse("https://host/repo.git?ref=main&mtime=commit&fetch-by-commit").ref());
        assertThrows(IllegalArgumentException.class, () -> GitSource.parse("https://host/repo.git?mtime=now"));
    }

    @Test
    void checksumFlagMustAgreeWithTheUrl() {
        GitSource source = parse("https://host/repo.git?checksum=abcd");
        assertEquals("abcd", source.withChecksum("abcd").checksum());
        assertThrows(IllegalArgumentException.class, () -> source.withChecksum("ef01"));
        assertEquals("ef01", parse("https://host/repo.git").withChecksum("ef01").checksum());
        assertThrows(IllegalArgumentException.class, () -> parse("https://host/repo.git").withChecksum("main"));
    }

    @Test
    void credentialsAreRedactedInMessagesAndMaterials() {
        GitSource source = parse("https://user:secret@host/org/repo.git#main");
        assertEquals("https://host/org/repo.git", source.redactedRemote());
        assertEquals("git+https://host/org/repo.git#main", source.materialUri());
        assertEquals("git://host/repo", parse("git://host/repo").materialUri());
    }
}
