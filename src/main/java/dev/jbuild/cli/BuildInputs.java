package dev.jbuild.cli;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The context directory, the Dockerfile and the .dockerignore of one build. A context given as a
 * tar on standard input is extracted into a temporary directory that {@link #close()} removes; a
 * Dockerfile there instead (not an archive by its first bytes, docker's test) is built with that
 * directory empty.
 */
record BuildInputs(Path contextDir, DockerfileSource dockerfile, DockerIgnore ignore, Store store, Path temporary)
        implements AutoCloseable {

    private static final int TAR_BLOCK = 512;

    /** @param stores opens the store; a context from standard input is extracted into its tmp/ */
    static BuildInputs read(String context, String file, CommandLine commandLine, boolean dryRun,
            Supplier<Store> stores) {
        try {
            if (context.equals("-")) {
                Store store = stores.get();
                InputStream stdin = new BufferedInputStream(System.in, 64 * 1024);
                stdin.mark(TAR_BLOCK);
                byte[] head = stdin.readNBytes(TAR_BLOCK);
                stdin.reset();
                Path temporary = store.createTemporaryDirectory("context");
                if (!BuildContexts.isArchive(head)) {
                    // docker build - < Dockerfile: the text is the Dockerfile, the context is empty (and -f names nothing, as in docker).
                    DockerfileSource source = DockerfileSource.read("-", stdin);
                    return new BuildInputs(temporary, source, DockerIgnore.none(), store, temporary);
                }
                try {
                    BuildContexts.extractTar(stdin, temporary);
                } catch (IOException e) {
                    deleteQuietly(store, temporary);
                    throw NoSpaceLeftException.forStore(e, temporary, store.root());
                }
                String name = file == null ? "Dockerfile" : file;
                Path dockerfilePath = temporary.resolve(name).normalize();
                if (!dockerfilePath.startsWith(temporary) || !Files.isRegularFile(dockerfilePath)) {
                    deleteQuietly(store, temporary);
                    throw new CliFailure(ExitCodes.BUILD_FAILED, "error: the context archive has no " + name);
                }
                DockerfileSource source = DockerfileSource.read(dockerfilePath.toString(), System.in);
                return new BuildInputs(temporary, source, DockerIgnore.load(temporary, dockerfilePath), store, temporary);
            }
            Path contextDir = Path.of(context);
            if (!Files.isDirectory(contextDir)) {
                if (context.startsWith("http://") || context.startsWith("https://") || context.startsWith("git@")) {
                    throw new ParameterException(commandLine, "remote build contexts (URLs, git): not implemented yet");
                }
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: the build context " + context + " is not a directory");
            }
            String dockerfileName = file != null ? file : contextDir.resolve("Dockerfile").toString();
            DockerfileSource source = DockerfileSource.read(dockerfileName, System.in);
            Path dockerfilePath = dockerfileName.equals("-") ? null : Path.of(dockerfileName);
            DockerIgnore ignore = dryRun ? DockerIgnore.none() : DockerIgnore.load(contextDir, dockerfilePath);
            return new BuildInputs(contextDir, source, ignore, null, null);
        } catch (DockerIgnoreException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: .dockerignore: " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the build context: " + e.getMessage());
        }
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
