package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** A build context given as a tar archive on standard input ({@code jbuild build -}). */
final class TarContext {

    private TarContext() {}

    /** Finds the Dockerfile inside the archive; {@code name} is relative to the archive's root. */
    static DockerfileSource dockerfile(InputStream tar, String name) {
        String wanted = normalize(name);
        try (TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isFile() && normalize(entry.getName()).equals(wanted)) {
                    return new DockerfileSource(wanted.substring(wanted.lastIndexOf('/') + 1),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the context archive from standard input: " + e.getMessage());
        }
        throw new CliFailure(ExitCodes.BUILD_FAILED, "error: the context archive has no " + wanted);
    }

    private static String normalize(String name) {
        String result = name;
        while (result.startsWith("./") || result.startsWith("/")) {
            result = result.substring(result.startsWith("./") ? 2 : 1);
        }
        return result;
    }
}
