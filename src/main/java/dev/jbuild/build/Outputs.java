package dev.jbuild.build;

import dev.jbuild.export.Exporter;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Writes the built image to the {@code -o} destinations. Archives are written to a temporary file
 * beside the destination and renamed into place, so a failed build never leaves half an archive
 * under the name a pipeline expects.
 */
final class Outputs {

    private Outputs() {}

    static void write(BuildSession session, BuildResult result) throws IOException {
        Instant mtime = session.request.sourceDateEpoch() != null ? session.request.sourceDateEpoch() : Instant.EPOCH;
        for (OutputSpec output : session.request.outputs()) {
            if (output instanceof OutputSpec.OciArchive oci) {
                writeFile(oci.dest(), out -> Exporter.ociArchive(session.store, result.manifest(), result.tags(), mtime, out));
            } else if (output instanceof OutputSpec.DockerArchive docker) {
                writeFile(docker.dest(), out -> Exporter.dockerArchive(session.store, result.manifest(), result.tags(),
                        session.request.platform(), mtime, out));
            } else if (output instanceof OutputSpec.RootfsTar tar) {
                writeFile(tar.dest(), out -> Exporter.rootfsTar(session.store, result.manifest(), out,
                        session.request.sourceDateEpoch()));
            } else if (output instanceof OutputSpec.LocalDirectory local) {
                Exporter.localDirectory(session.store, result.manifest(), local.dest(), true);
            }
        }
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** {@code dest} null means standard output. */
    private static void writeFile(Path dest, Writer writer) throws IOException {
        if (dest == null) {
            OutputStream stdout = new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
            writer.write(stdout);
            stdout.flush();
            return;
        }
        Path absolute = dest.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, "." + absolute.getFileName(), ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                writer.write(out);
            }
            // Temporary files are private; the archive is an ordinary file for the user's tools.
            Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
