package dev.jbuild.cli;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageName;
import dev.jbuild.registry.PushResult;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild push NAME [DESTINATION]}: a stored image to a registry, with its exact bytes. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Push a stored image to a registry.", "DESTINATION defaults to NAME itself."})
final class PushCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Stored image name or ID.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION", description = "Where to push: REGISTRY/NAME[:TAG].")
    String destination;

    @Option(names = "--oci-referrers", description = "Also make the image's attestation manifests OCI 1.1 referrers of their "
            + "images: listed by the registry's referrers API, or in the sha256-<hex> tag schema's index where it has none.")
    boolean ociReferrers;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        // The stored documents go out byte for byte: the config need not be read (or be an image config).
        Map.Entry<String, Descriptor> image = new StoredImages(store).findTag(source);
        ImageName target = ImageReferences.parse(destination != null ? destination : image.getKey(), spec);
        try (RegistryClient registry = Registries.client(spec, List.of(target))) {
            ImageTransfer transfer = new ImageTransfer(store, registry);
            PushResult result = transfer.push(image.getValue(), target, Map.of());
            spec.commandLine().getErr().printf("pushed %s: %d blobs uploaded, %d mounted, %d already there%n",
                    target, result.uploaded(), result.mounted(), result.skipped());
            if (ociReferrers) {
                int tagged = transfer.addReferrers(image.getValue(), target);
                if (tagged > 0) {
                    spec.commandLine().getErr().printf("%d attestation manifests listed as referrers in the registry's "
                            + "sha256-<hex> tags (it has no referrers API)%n", tagged);
                }
            }
            spec.commandLine().getOut().println(target.registry() + "/" + target.repository() + "@" + result.digest());
            spec.commandLine().getOut().flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: pushing " + target.familiar() + ": " + e.getMessage());
        }
    }
}
