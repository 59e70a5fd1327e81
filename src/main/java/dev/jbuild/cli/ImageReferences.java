package dev.jbuild.cli;

import dev.jbuild.image.ImageName;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Image names typed on the command line: a malformed one is a usage error (exit 2). */
final class ImageReferences {

    private ImageReferences() {}

    static ImageName parse(String reference, CommandSpec spec) {
        try {
            return ImageName.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
