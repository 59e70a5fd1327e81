package dev.jbuild.cli;

import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.DockerIgnoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The context directory, the Dockerfile and the .dockerignore of one build. A context given as a
 * tar on standard input is extracted into a temporary directory that {@link #close()} removes.
 */
record BuildInputs(Path contextDir, DockerfileSource dockerfile, DockerIgnore ignore, Path temporary) implements AutoCloseable {

    static BuildInputs read(String context, String file, CommandLine commandLine, boolean dryRun) {
        try {
            if (context.equals("-")) {
                Path temporary = Files.createTempDirectory("jbuild-context-");
                BuildContexts.extractTar(System.in, temporary);
                String name = file == null ? "Dockerfile" : file;
                Path dockerfilePath = temporary.resolve(name).normalize();
                if (!dockerfilePath.startsWith(temporary)) {
                    throw new ParameterException(commandLine, "the Dockerfile must be inside the context archive: " + name);
                }
                if (!Files.isRegularFile(dockerfilePath)) {
                    TempDirectories.deleteQuietly(temporary);
                    throw new CliFailure(ExitCodes.BUILD_FAILED, "error: the context archive has no " + name);
                }
                DockerfileSource source = DockerfileSource.read(dockerfilePath.toString(), System.in);
                return new BuildInputs(temporary, source, DockerIgnore.load(temporary, dockerfilePath), temporary);
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
            return new BuildInputs(contextDir, source, ignore, null);
        } catch (DockerIgnoreException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: .dockerignore: " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the build context: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (temporary != null) {
            TempDirectories.deleteQuietly(temporary);
        }
    }
}
