package dev.jbuild.api;

import dev.jbuild.attestation.Material;
import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.UrlDownload;
import dev.jbuild.git.GitCredentials;
import dev.jbuild.git.GitFetcher;
import dev.jbuild.git.GitSource;
import dev.jbuild.git.SshSettings;
import dev.jbuild.image.Digest;
import dev.jbuild.store.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Build contexts and named contexts given as URLs, fetched before the build as buildx's remote
 * contexts are: a git reference ({@link GitSource}'s forms) is checked out with {@link GitFetcher};
 * any other http(s) URL is downloaded. As the main context an archive (by its first bytes, as a context
 * tar on standard input) is extracted safely, while a text file is the Dockerfile of an empty context
 * (docker's rule); as a named context the download is one file named {@code context}, not unpacked
 * (BuildKit's {@code llb.HTTP(url, Filename("context"))} in dockerui's named contexts).
 * Each goes into a store temporary directory that {@link #close} removes.
 */
final class RemoteContexts implements AutoCloseable {

    /**
     * A fetched context.
     *
     * @param directory  the context's root (a git source's subdirectory)
     * @param dockerfile the downloaded Dockerfile when the URL was a text file (the context is then empty), else null
     * @param commit     the commit of a git context, else null
     * @param origin     what provenance lists for a named context: the remote with its commit (sha1), or the
     *                   URL without credentials with the sha256 of the download; null for the main context's download
     */
    record Fetched(Path directory, byte[] dockerfile, String commit, Material origin) {}

    private static final int HEAD = 512;
    /** A downloaded Dockerfile is held in memory: far above any real one, far below the heap. */
    static final int DOCKERFILE_LIMIT = 16 << 20;

    private final Supplier<Store> stores;
    private final Supplier<GitCredentials> credentials;
    private final Supplier<SshSettings> ssh;
    private final Consumer<String> warnings;
    private final List<Path> temporaries = new ArrayList<>();
    private final ProxySelector proxies;
    private GitFetcher fetcher;

    /**
     * @param ssh     the agent forwarded as {@code default} and the known hosts, for git over SSH
     * @param proxies how URLs are fetched (the environment's proxies)
     */
    RemoteContexts(Supplier<Store> stores, Supplier<GitCredentials> credentials, Supplier<SshSettings> ssh,
            ProxySelector proxies, Consumer<String> warnings) {
        this.stores = stores;
        this.proxies = proxies;
        this.credentials = credentials;
        this.ssh = ssh;
        this.warnings = warnings;
    }

    /** Whether a context argument names a remote context rather than a directory. */
    static boolean isRemote(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return GitSource.isGit(value) || lower.startsWith("http://") || lower.startsWith("https://");
    }

    /** Whether a context argument is a git reference over SSH ({@code git@host:…}, {@code ssh://}). */
    static boolean needsSsh(String value) {
        try {
            return GitSource.parse(value).map(GitSource::isSsh).orElse(false);
        } catch (IllegalArgumentException e) {
            return false; // fetch reports the malformed reference
        }
    }

    /**
     * Fetches {@code url}.
     *
     * @param keepGitDir keep a git checkout's {@code .git} ({@code BUILDKIT_CONTEXT_KEEP_GIT_DIR}, main context only)
     * @param main       the main context (a download is unpacked or is the Dockerfile), else a named one
     */
    Fetched fetch(String url, boolean keepGitDir, boolean main) throws IOException {
        GitSource source;
        try {
            source = GitSource.parse(url).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        Store store = stores.get();
        Path directory = store.createTemporaryDirectory("remote-context");
        temporaries.add(directory);
        if (source != null) {
            GitFetcher git = fetcher();
            String commit = git.resolve(source).orElse(null);
            GitFetcher.Checkout checkout = git.checkout(source, commit, keepGitDir || Boolean.TRUE.equals(source.keepGitDir()),
                    directory);
            String algorithm = checkout.commit().length() == 64 ? "sha256" : "sha1";
            return new Fetched(checkout.root(), null, checkout.commit(),
                    new Material(source.materialUri(), Map.of(algorithm, checkout.commit())));
        }
        return download(url, directory, main);
    }

    private Fetched download(String url, Path directory, boolean main) throws IOException {
        HttpClient client = UrlDownload.newClient(proxies);
        Path context = directory.resolve("context");
        try {
            if (!main) {
                // One file named context, dated and with the mode as an ADD of the URL would give it.
                Files.createDirectories(context);
                UrlDownload.Downloaded file = UrlDownload.toFile(client, url, context.resolve("context"));
                Digest digest = file.digest();
                return new Fetched(context, null, null, new Material(Material.withoutCredentials(url), Map.of(digest.algorithm(), digest.hex())));
            }
            return mainContext(UrlDownload.open(client, url), url, context);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + UrlDownload.shown(url), e);
        }
    }

    private static Fetched mainContext(HttpResponse<InputStream> response, String url, Path context) throws IOException {
        try (InputStream body = new BufferedInputStream(response.body(), 64 * 1024)) {
            body.mark(HEAD);
            byte[] head = body.readNBytes(HEAD);
            body.reset();
            if (BuildContexts.isArchive(head)) {
                return new Fetched(BuildContexts.extractTar(body, context), null, null, null);
            }
            byte[] dockerfile = body.readNBytes(DOCKERFILE_LIMIT + 1);
            if (dockerfile.length > DOCKERFILE_LIMIT) {
                throw new IOException(UrlDownload.shown(url) + " is neither an archive nor a Dockerfile: more than " + (DOCKERFILE_LIMIT >> 20)
                        + " MiB of text");
            }
            return new Fetched(Files.createDirectories(context), dockerfile, null, null);
        }
    }

    private synchronized GitFetcher fetcher() {
        if (fetcher == null) {
            fetcher = new GitFetcher(credentials.get(), ssh.get(), warnings);
        }
        return fetcher;
    }

    @Override
    public void close() {
        for (Path temporary : temporaries) {
            try {
                stores.get().deleteTemporaryDirectory(temporary);
            } catch (IOException e) {
                // A leftover scratch directory is harmless; the store's garbage collection removes it.
            }
        }
    }
}
