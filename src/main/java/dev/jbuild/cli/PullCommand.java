package dev.jbuild.cli;

import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
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

    /**
     * A name for one image (no index) gets that image whatever its platform; say so when it is not the one asked
     * for, as Podman does (the build's InvalidBaseImagePlatform is the same check).
     */
    private void warnOfAnotherPlatform(Store store, ImageTransfer.Pulled pulled, Platform wanted) {
        Platform actual;
        try {
            Manifest manifest = ImageDocuments.parseManifest(store.readBytes(pulled.manifest().digest())).value();
            actual = ImageDocuments.parseConfig(store.readBytes(manifest.config().digest())).value().platform().normalize();
        } catch (IOException | IllegalArgumentException e) {
            return; // an artifact whose config is no image config has no platform to compare
        }
        Platform expected = wanted.normalize();
        if (actual.os() != null && actual.architecture() != null
                && (!actual.os().equals(expected.os()) || !actual.architecture().equals(expected.architecture()))) {
            spec.commandLine().getErr().println("warning: the image's platform (" + actual + ") does not match the"
                    + " requested platform (" + expected + ")");
            spec.commandLine().getErr().flush();
        }
    }

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
            warnOfAnotherPlatform(store, pulled, wanted);
            // NAME[:TAG]@DIGEST, the digest named once: a reference by digest already holds it.
            spec.commandLine().getOut().println(name.digest() != null ? name.pinned() : name + "@" + pulled.digest());
            spec.commandLine().getOut().flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: pulling " + name.familiar() + ": " + e.getMessage());
        }
    }
}
