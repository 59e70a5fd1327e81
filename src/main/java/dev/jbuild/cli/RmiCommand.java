package dev.jbuild.cli;

import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Option(names = {"-f", "--force"}, description = "By ID, remove every name of an image that has several.")
    boolean force;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages images = new StoredImages(store);
        PrintWriter out = spec.commandLine().getOut();
        for (String reference : references) {
            List<String> names;
            try {
                names = images.namesById(reference);
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the store: " + e.getMessage());
            }
            if (names.size() > 1 && !force) {
                // Docker's and Podman's rule: an ID of an image with several names would remove one of them at random.
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: unable to remove " + reference + " (must be forced with -f):"
                        + " the image has several names: " + String.join(", ", names));
            }
            if (names.isEmpty()) {
                // The tag entry alone: a name is only an index.json entry, removable when its blobs are missing.
                names = List.of(images.findTag(reference).getKey());
            }
            for (String name : names) {
                try {
                    store.untag(name);
                } catch (IOException e) {
                    throw new CliFailure(ExitCodes.BUILD_FAILED, "error: removing " + reference + ": " + e.getMessage());
                }
                out.println("Untagged: " + name);
            }
        }
        out.flush();
    }
}
