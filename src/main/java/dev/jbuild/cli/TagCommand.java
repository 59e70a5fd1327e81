package dev.jbuild.cli;

import dev.jbuild.image.ImageName;
import dev.jbuild.store.Store;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild tag SOURCE TARGET}. */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give a stored image another name.")
final class TagCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Image name or ID.")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "New name[:tag].")
    String target;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages.StoredImage image = new StoredImages(store).find(source);
        ImageName name;
        try {
            name = ImageName.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (name.digest() != null) {
            throw new ParameterException(spec.commandLine(), "a tag cannot contain a digest: " + target);
        }
        try {
            store.tag(name.toString(), store.resolve(image.name()).orElseThrow());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: tagging " + target + ": " + e.getMessage());
        }
    }
}
