package dev.jbuild.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild inspect NAME...}: the manifest and config of stored images, as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the manifest and config of images in the local store, as a JSON array.")
final class InspectCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image names or IDs.")
    List<String> references;

    @Override
    public void run() {
        StoredImages images = new StoredImages(Stores.open(((JbuildCommand) spec.root().userObject()).root));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode result = json.createArrayNode();
        try {
            for (String reference : references) {
                StoredImages.StoredImage image = images.find(reference);
                ObjectNode entry = result.addObject();
                entry.put("Name", image.name());
                entry.put("Id", image.config().digest().toString());
                entry.put("Digest", image.descriptor().digest().toString());
                entry.set("Manifest", json.readTree(image.manifest().bytes()));
                entry.set("Config", json.readTree(image.config().bytes()));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(json.writeValueAsString(result));
            out.flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
        }
    }
}
