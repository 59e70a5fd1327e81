package dev.jbuild.engine;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.OutputSpec;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.export.ArchiveFile;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes the built image to the {@code -o} destinations. Archives are written to a temporary file
 * beside the destination and renamed into place, so a failed build never leaves half an archive
 * under the name a pipeline expects.
 */
final class Outputs {

    private Outputs() {}

    static void write(BuildSession session, BuildResult result) throws IOException {
        write(session.store(), session.request(), result, List.of(), session.listener());
    }

    /**
     * Writes {@code result} to the request's outputs. For a multi-platform result ({@code platforms}
     * not empty, {@code result.manifest()} an index): OCI archives hold every platform, a Docker
     * archive the request's platform (the first one), and a local directory or a root filesystem tar one
     * subdirectory per platform ({@code linux_amd64}, {@code linux_arm_v7}) as BuildKit writes them. A one-platform image
     * with attestations is an index too: its root filesystem outputs take the platform's manifest.
     */
    static void write(Store store, BuildRequest request, BuildResult result, List<Platform> platforms, BuildListener listener)
            throws IOException {
        Instant mtime = request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.EPOCH;
        for (OutputSpec output : request.outputs()) {
            if (output instanceof OutputSpec.OciArchive oci) {
                ArchiveFile.write(oci.dest(), out -> Exporter.ociArchive(store, result.manifest(), result.tags(), mtime, out));
            } else if (output instanceof OutputSpec.DockerArchive docker) {
                ArchiveFile.write(docker.dest(), out -> Exporter.dockerArchive(store, result.manifest(), result.tags(),
                        request.platform(), mtime, out));
            } else if (output instanceof OutputSpec.RootfsTar tar) {
                if (platforms.isEmpty()) {
                    Descriptor image = Exporter.platformManifest(store, result.manifest(), request.platform());
                    ArchiveFile.write(tar.dest(), out -> Exporter.rootfsTar(store, image, out, request.sourceDateEpoch()));
                } else {
                    SortedMap<String, Descriptor> images = new TreeMap<>();
                    for (Platform platform : platforms) {
                        images.put(directoryName(platform), Exporter.platformManifest(store, result.manifest(), platform));
                    }
                    ArchiveFile.write(tar.dest(), out -> Exporter.rootfsTar(store, images, out, request.sourceDateEpoch()));
                }
            } else if (output instanceof OutputSpec.LocalDirectory local) {
                if (platforms.isEmpty()) {
                    local(store, result.manifest(), Exporter.platformManifest(store, result.manifest(), request.platform()),
                            local.dest(), fileTime(request), listener);
                }
                for (Platform platform : platforms) {
                    local(store, result.manifest(), Exporter.platformManifest(store, result.manifest(), platform),
                            local.dest().resolve(directoryName(platform)), fileTime(request), listener);
                }
            }
        }
    }

    /** A platform's directory in a multi-platform local or tar export: {@code linux_amd64}, {@code linux_arm_v7}. */
    private static String directoryName(Platform platform) {
        return platform.os() + "_" + platform.architecture()
                + (platform.variant() == null || platform.variant().isEmpty() ? "" : "_" + platform.variant());
    }

    /** The attestation files' time: SOURCE_DATE_EPOCH when set, else now (to the second), as BuildKit's local exporter. */
    private static Instant fileTime(BuildRequest request) {
        return request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * One platform's root filesystem into {@code dir}, and its attestations beside it (as BuildKit's local exporter).
     * What the directory could not hold (device nodes and foreign owners without root, say) is a warning.
     */
    private static void local(Store store, Descriptor root, Descriptor image, Path dir, Instant mtime, BuildListener listener)
            throws IOException {
        for (String warning : Exporter.localDirectory(store, image, dir, true).warnings()) {
            listener.warning("-o type=local,dest=" + dir + ": " + warning);
        }
        LocalAttestationFiles.write(store, root, image.digest(), dir, mtime);
    }
}
