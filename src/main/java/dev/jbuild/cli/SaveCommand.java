package dev.jbuild.cli;

import dev.jbuild.export.ArchiveFile;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild save}: a stored image as an archive, like {@code docker save}. */
@Command(name = "save", mixinStandardHelpOptions = true,
        description = {"Write a stored image to a tar archive (standard output unless -o).",
            "The docker format loads with `docker load` and `podman load`; the oci format is an OCI image layout."})
final class SaveCommand implements Runnable {

    enum Format { docker, oci }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "Image name or ID.")
    String reference;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--format", defaultValue = "docker", description = "Archive format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "For a multi-platform image, the platform to save (docker format).")
    String platform;

    @Override
    public void run() {
        // docker save's rule and words: an archive would garble the terminal (build's -o refuses the same way).
        if (output == null && Terminals.stdoutIsTerminal()) {
            throw new ParameterException(spec.commandLine(),
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages.StoredImage image = new StoredImages(store).find(reference);
        Platform wanted;
        try {
            wanted = platform == null ? Platform.host() : Platform.parse(platform).normalize();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid --platform " + platform + ": " + e.getMessage());
        }
        try {
            var descriptor = store.resolve(image.name()).orElseThrow();
            ArchiveFile.write(output, out -> write(store, descriptor, image.name(), wanted, out));
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: saving " + reference + ": " + e.getMessage());
        }
    }

    private void write(Store store, Descriptor descriptor, String name, Platform wanted, OutputStream out)
            throws IOException {
        if (format == Format.oci) {
            Exporter.ociArchive(store, descriptor, List.of(name), out);
        } else {
            Exporter.dockerArchive(store, descriptor, List.of(name), wanted, out);
        }
    }
}
