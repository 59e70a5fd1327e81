package dev.jbuild.cli;

import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild pull NAME}: an image from its registry into the local store. */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image from a registry into the local store.")
final class PullCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image, e.g. alpine:3.19 or ghcr.io/org/app@sha256:...")
    String reference;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull from a multi-platform image (default: the host's).")
    String platform;

    @Override
    public void run() {
        ImageName name = ImageReferences.parse(reference, spec);
        Platform wanted;
        try {
            wanted = platform == null ? Platform.host() : Platform.parse(platform).normalize();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid --platform " + platform + ": " + e.getMessage());
        }
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        try (RegistryClient registry = Registries.client(spec, List.of(name))) {
            ImageTransfer.Pulled pulled = new ImageTransfer(store, registry).pull(name, wanted);
            // NAME[:TAG]@DIGEST, the digest named once: a reference by digest already holds it.
            spec.commandLine().getOut().println(name.digest() != null ? name.pinned() : name + "@" + pulled.digest());
            spec.commandLine().getOut().flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: pulling " + name.familiar() + ": " + e.getMessage());
        }
    }
}
