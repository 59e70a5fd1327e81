package dev.jbuild.cli;

import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild rmi NAME...}: removes names; the blobs stay until garbage collection. */
@Command(name = "rmi", mixinStandardHelpOptions = true,
        description = {"Remove image names from the local store.",
            "Only the name goes: the layers stay in the store until `jbuild prune`."})
final class RmiCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image names or IDs.")
    List<String> references;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages images = new StoredImages(store);
        PrintWriter out = spec.commandLine().getOut();
        for (String reference : references) {
            StoredImages.StoredImage image = images.find(reference);
            try {
                store.untag(image.name());
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: removing " + reference + ": " + e.getMessage());
            }
            out.println("Untagged: " + image.name());
        }
        out.flush();
    }
}
