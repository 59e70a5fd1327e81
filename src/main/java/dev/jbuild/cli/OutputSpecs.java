package dev.jbuild.cli;

import dev.jbuild.build.OutputSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Parses {@code -o type=TYPE,dest=PATH} (and buildx's shorthands: {@code -o DIR}, {@code -o -}). */
final class OutputSpecs {

    private OutputSpecs() {}

    static List<OutputSpec> parse(List<String> specs, CommandLine commandLine) {
        List<OutputSpec> result = new ArrayList<>();
        for (String spec : specs) {
            OutputSpec output = parseOne(spec, commandLine);
            if (output != null) {
                result.add(output);
            }
        }
        return result;
    }

    /** True when an output is {@code type=registry}, buildx's spelling of {@code --push}. */
    static boolean pushes(List<String> specs) {
        return specs.stream().anyMatch(spec -> spec.replace(" ", "").matches("(.*,)?type=registry(,.*)?"));
    }

    /** True for an archive written to standard output ({@code dest=-}), which then carries nothing else. */
    static boolean writesToStdout(OutputSpec output) {
        return output instanceof OutputSpec.OciArchive oci && oci.dest() == null
                || output instanceof OutputSpec.DockerArchive docker && docker.dest() == null
                || output instanceof OutputSpec.RootfsTar tar && tar.dest() == null;
    }

    private static OutputSpec parseOne(String spec, CommandLine commandLine) {
        if (spec.equals("-")) {
            return new OutputSpec.RootfsTar(null);
        }
        if (!spec.contains("=")) {
            return new OutputSpec.LocalDirectory(Path.of(spec));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new ParameterException(commandLine, "invalid --output " + spec + ": " + field + " is not KEY=VALUE");
            }
            fields.put(field.substring(0, equals).trim(), field.substring(equals + 1).trim());
        }
        String type = fields.remove("type");
        String dest = fields.remove("dest");
        if (type == null) {
            throw new ParameterException(commandLine, "invalid --output " + spec + ": type= is required");
        }
        if (!fields.isEmpty()) {
            throw new ParameterException(commandLine, "--output " + spec + ": option " + fields.keySet().iterator().next() + " is not implemented yet");
        }
        Path path = dest == null || dest.equals("-") ? null : Path.of(dest);
        switch (type) {
            case "oci":
                return new OutputSpec.OciArchive(path);
            case "docker":
                return new OutputSpec.DockerArchive(path);
            case "tar":
                return new OutputSpec.RootfsTar(path);
            case "local":
                if (path == null) {
                    throw new ParameterException(commandLine, "--output type=local needs dest=DIRECTORY");
                }
                return new OutputSpec.LocalDirectory(path);
            case "image":
                return null; // the store, where every build goes anyway
            case "registry":
                return null; // the same as --push: see pushes()
            default:
                throw new ParameterException(commandLine, "unknown --output type " + type + " (oci, docker, local, tar, image)");
        }
    }
}
