package dev.jbuild.cli;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageName;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jbuild images}: the tagged images in the store, like {@code docker images}. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images in the local store.")
final class ImagesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Print only image IDs.")
    boolean quiet;

    @Option(names = "--digests", description = "Show manifest digests.")
    boolean digests;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages images = new StoredImages(store);
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (!quiet) {
                out.printf(digests ? "%-40s %-16s %-73s %-14s %-22s %s%n" : "%-40s %-16s %-14s %-22s %s%n",
                        digests ? new Object[] {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
                                : new Object[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
            }
            for (Map.Entry<String, Descriptor> tag : store.tags().entrySet()) {
                StoredImages.StoredImage image = images.load(tag.getKey(), tag.getValue());
                // A multi-platform image's ID is its index digest (as the build prints it, and as
                // containerd's image store shows it); a single image's is its config digest, as in docker.
                String id = (dev.jbuild.image.MediaTypes.isIndex(tag.getValue().mediaType()) ? tag.getValue().digest()
                        : image.config().digest()).hex().substring(0, 12);
                if (quiet) {
                    out.println(id);
                    continue;
                }
                ImageName name = ImageName.parse(tag.getKey());
                String familiar = name.familiar();
                String repository = name.tag() == null ? familiar : familiar.substring(0, familiar.length() - name.tag().length() - 1);
                String created = image.config().value().created() == null ? "" : image.config().value().created();
                if (digests) {
                    out.printf("%-40s %-16s %-73s %-14s %-22s %s%n", repository, name.tag(), tag.getValue().digest(), id,
                            created, ProgressPrinter.size(image.size()));
                } else {
                    out.printf("%-40s %-16s %-14s %-22s %s%n", repository, name.tag(), id, created,
                            ProgressPrinter.size(image.size()));
                }
            }
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the store: " + e.getMessage());
        }
        out.flush();
    }
}
