package dev.jbuild.cli;

import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.image.ImageName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Parses {@code --build-context NAME=VALUE} the way buildx does. */
final class NamedContexts {

    private static final String OCI_LAYOUT = "oci-layout://";

    private NamedContexts() {}

    static Map<String, NamedContext> parse(List<String> specs, CommandLine commandLine) {
        Map<String, NamedContext> result = new LinkedHashMap<>();
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            if (equals <= 0 || equals == spec.length() - 1) {
                throw new ParameterException(commandLine, "invalid --build-context " + spec + ": expected NAME=VALUE");
            }
            String name = spec.substring(0, equals);
            String value = spec.substring(equals + 1);
            result.put(name, context(name, value, commandLine));
        }
        return result;
    }

    private static NamedContext context(String name, String value, CommandLine commandLine) {
        if (value.startsWith(OCI_LAYOUT)) {
            // oci-layout:///path/to/layout[:tag|@sha256:digest]
            String rest = value.substring(OCI_LAYOUT.length());
            String reference = null;
            int at = rest.lastIndexOf('@');
            int colon = rest.lastIndexOf(':');
            if (at > rest.lastIndexOf('/')) {
                reference = rest.substring(at);
                rest = rest.substring(0, at);
            } else if (colon > rest.lastIndexOf('/')) {
                reference = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
            }
            Path layout = Path.of(rest);
            if (!Files.isRegularFile(layout.resolve("index.json"))) {
                throw new ParameterException(commandLine, "--build-context " + name + ": " + rest + " is not an OCI image layout (no index.json)");
            }
            return new NamedContext.OciLayout(layout, reference);
        }
        if (value.startsWith("docker-image://")) {
            String reference = value.substring("docker-image://".length());
            try {
                ImageName.parse(reference);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(commandLine, "--build-context " + name + ": " + e.getMessage());
            }
            return new NamedContext.Image(reference);
        }
        if (value.startsWith("target:") || value.contains("://") || value.startsWith("git@")) {
            throw new ParameterException(commandLine, "--build-context " + name + "=" + value
                    + ": only directories, docker-image:// and oci-layout:// are implemented yet");
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(commandLine, "--build-context " + name + ": " + value + " is not a directory");
        }
        return new NamedContext.Directory(dir);
    }
}
