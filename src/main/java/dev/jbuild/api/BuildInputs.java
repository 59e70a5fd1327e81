package dev.jbuild.api;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.dockerfile.DockerfileSource;
import dev.jbuild.image.Digest;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The context directory, the Dockerfile and the .dockerignore of one build. A context given as a
 * tar on standard input is extracted into a temporary directory that {@link #close()} removes; a
 * Dockerfile there instead (not an archive by its first bytes, docker's test) is built with that
 * directory empty. A context given as a URL is fetched by {@link RemoteContexts}, which owns its directory.
 */
record BuildInputs(Path contextDir, DockerfileSource dockerfile, DockerIgnore ignore, Store store, Path temporary)
        implements AutoCloseable {

    private static final int TAR_BLOCK = 512;

    /**
     * @param stores     opens the store; a context from standard input is extracted into its tmp/
     * @param remotes    fetches a context given as a git or http(s) URL (and owns its directory)
     * @param keepGitDir {@code BUILDKIT_CONTEXT_KEEP_GIT_DIR}: a git context keeps its {@code .git}
     */
    static BuildInputs read(String context, String file, InputStream stdin, boolean dryRun,
            Supplier<Store> stores, RemoteContexts remotes, boolean keepGitDir) {
        try {
            if (RemoteContexts.isRemote(context)) {
                return remote(context, file, stdin, remotes, keepGitDir);
            }
            if (context.equals("-")) {
                Store store = stores.get();
                InputStream in = new BufferedInputStream(stdin, 64 * 1024);
                in.mark(TAR_BLOCK);
                byte[] head = in.readNBytes(TAR_BLOCK);
                in.reset();
                Path temporary = store.createTemporaryDirectory("context");
                if (!BuildContexts.isArchive(head)) {
                    // docker build - < Dockerfile: the text is the Dockerfile, the context is empty (and -f names nothing, as in docker).
                    DockerfileSource source = DockerfileSource.read("-", in);
                    return new BuildInputs(temporary, source, DockerIgnore.none(), store, temporary);
                }
                try {
                    BuildContexts.extractTar(in, temporary);
                } catch (IOException e) {
                    deleteQuietly(store, temporary);
                    throw NoSpaceLeftException.forStore(e, temporary, store.root());
                }
                String name = file == null ? "Dockerfile" : file;
                Path dockerfilePath = temporary.resolve(name).normalize();
                if (!dockerfilePath.startsWith(temporary) || !Files.isRegularFile(dockerfilePath)) {
                    deleteQuietly(store, temporary);
                    throw Problem.failed("error: the context archive has no " + name);
                }
                DockerfileSource source = DockerfileSource.read(dockerfilePath.toString(), stdin);
                // As a remote context: buildx uploads a tar from stdin as the context itself, which BuildKit uses as it
                // is sent, and docker's classic builder did not apply it to a piped archive either (moby/moby#10536).
                return new BuildInputs(temporary, source, DockerIgnore.none(), store, temporary);
            }
            Path contextDir = Path.of(context);
            if (!Files.isDirectory(contextDir)) {
                throw Problem.failed("error: the build context " + context + " is not a directory");
            }
            String dockerfileName = file != null ? file : contextDir.resolve("Dockerfile").toString();
            DockerfileSource source = DockerfileSource.read(dockerfileName, stdin);
            Path dockerfilePath = dockerfileName.equals("-") ? null : Path.of(dockerfileName);
            DockerIgnore ignore = dryRun ? DockerIgnore.none() : DockerIgnore.load(contextDir, dockerfilePath);
            return new BuildInputs(contextDir, source, ignore, null, null);
        } catch (DockerfileSource.UnreadableException e) {
            throw Problem.failed("error: " + e.getMessage());
        } catch (DockerIgnoreException e) {
            throw Problem.failed("error: .dockerignore: " + e.getMessage());
        } catch (IOException e) {
            throw Problem.failed("error: reading the build context: " + e.getMessage());
        }
    }

    /**
     * A context from a URL: {@code -f} names a file inside it (docker's rule for remote contexts), or
     * {@code -} for standard input; a URL that downloaded a text file is itself the Dockerfile. Its
     * {@code .dockerignore} is not applied: BuildKit uses a remote main context as fetched (dockerui's
     * {@code MainContext} reads ignore patterns only for a local one), where the classic builder applied it.
     */
    private static BuildInputs remote(String context, String file, InputStream stdin, RemoteContexts remotes, boolean keepGitDir)
            throws IOException, DockerfileSource.UnreadableException {
        RemoteContexts.Fetched fetched;
        try {
            fetched = remotes.fetch(context, keepGitDir, true);
        } catch (IOException e) {
            throw Problem.failed("error: fetching the build context: " + e.getMessage());
        }
        Path root = fetched.directory();
        if (fetched.dockerfile() != null) {
            byte[] bytes = fetched.dockerfile();
            DockerfileSource source = new DockerfileSource("Dockerfile", new String(bytes, StandardCharsets.UTF_8), Digest.of(bytes));
            return new BuildInputs(root, source, DockerIgnore.none(), null, null);
        }
        if ("-".equals(file)) {
            return new BuildInputs(root, DockerfileSource.read("-", stdin), DockerIgnore.none(), null, null);
        }
        String name = file == null ? "Dockerfile" : file;
        Path dockerfilePath = root.resolve(name).normalize();
        if (!dockerfilePath.startsWith(root) || !Files.isRegularFile(dockerfilePath)) {
            throw Problem.failed("error: the build context " + context + " has no " + name);
        }
        DockerfileSource source = DockerfileSource.read(dockerfilePath.toString(), stdin);
        return new BuildInputs(root, source, DockerIgnore.none(), null, null);
    }

    @Override
    public void close() {
        if (temporary != null) {
            deleteQuietly(store, temporary);
        }
    }

    private static void deleteQuietly(Store store, Path temporary) {
        try {
            store.deleteTemporaryDirectory(temporary);
        } catch (IOException e) {
            // A leftover scratch directory is harmless; the store's garbage collection removes it.
        }
    }
}
