package dev.jbuild.cli;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The context directory, the Dockerfile and the .dockerignore of one build. A context given as a
 * tar on standard input is extracted into a temporary directory that {@link #close()} removes.
 */
record BuildInputs(Path contextDir, DockerfileSource dockerfile, DockerIgnore ignore, Store store, Path temporary)
        implements AutoCloseable {

    /** @param stores opens the store; a context from standard input is extracted into its tmp/ */
    static BuildInputs read(String context, String file, CommandLine commandLine, boolean dryRun,
            java.util.function.Supplier<Store> stores) {
        try {
            if (context.equals("-")) {
                Store store = stores.get();
                Path temporary = store.createTemporaryDirectory("context");
                try {
                    BuildContexts.extractTar(System.in, temporary);
                } catch (IOException e) {
                    deleteQuietly(store, temporary);
                    throw e;
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
