package dev.jbuild.api;

import dev.jbuild.engine.api.OutputSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code -o type=TYPE,dest=PATH[,name=NAMES][,push=BOOL]} (and buildx's shorthands:
 * {@code -o DIR}, {@code -o -}). Fields are a CSV record as in buildx, so several names go in one
 * quoted field: {@code type=image,"name=a:1,b:1",push=true}.
 */
final class OutputSpecs {

    /**
     * What the {@code -o} values ask for.
     *
     * @param outputs exports besides the store
     * @param names   {@code name=} values of image outputs, in order (the image's names when there is no {@code -t})
     * @param push    an image output says {@code push=true}, or is {@code type=registry}
     */
    record Parsed(List<OutputSpec> outputs, List<String> names, boolean push) {}

    private OutputSpecs() {}

    /** @param stdoutIsTerminal refuse archives on standard output then (buildx's rule: binary would garble the terminal) */
    static Parsed parse(List<String> specs, boolean stdoutIsTerminal) {
        List<OutputSpec> outputs = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        boolean push = false;
        for (String spec : specs) {
            if (spec.equals("-")) {
                requireNoTerminal("tar", stdoutIsTerminal);
                outputs.add(new OutputSpec.RootfsTar(null));
                continue;
            }
            if (!spec.contains("=")) {
                outputs.add(new OutputSpec.LocalDirectory(Path.of(spec)));
                continue;
            }
            Map<String, String> fields = fields(spec);
            String type = fields.remove("type");
            String dest = fields.remove("dest");
            if (type == null) {
                throw Problem.invalid("invalid --output " + spec + ": type= is required");
            }
            String name = type.equals("local") || type.equals("tar") ? null : fields.remove("name");
            if (name != null) {
                for (String one : name.split(",")) {
                    if (!one.isBlank()) {
                        names.add(one.strip());
                    }
                }
            }
            String pushValue = type.equals("image") || type.equals("registry") ? fields.remove("push") : null;
            if (!fields.isEmpty()) {
                throw Problem.invalid("--output " + spec + ": option " + fields.keySet().iterator().next() + " is not implemented yet");
            }
            Path path = dest == null || dest.equals("-") ? null : Path.of(dest);
            switch (type) {
                case "oci" -> outputs.add(new OutputSpec.OciArchive(archivePath(type, path, stdoutIsTerminal)));
                case "docker" -> outputs.add(new OutputSpec.DockerArchive(archivePath(type, path, stdoutIsTerminal)));
                case "tar" -> outputs.add(new OutputSpec.RootfsTar(archivePath(type, path, stdoutIsTerminal)));
                case "local" -> {
                    if (path == null) {
                        throw Problem.invalid("--output type=local needs dest=DIRECTORY");
                    }
                    outputs.add(new OutputSpec.LocalDirectory(path));
                }
                // The store, where every build goes anyway; push=true also sends it to the registry.
                case "image" -> push |= pushValue != null && bool(spec, "push", pushValue);
                case "registry" -> push = true; // buildx's image exporter with push=true
                default -> throw Problem.invalid("unknown --output type " + type + " (oci, docker, local, tar, image, registry)");
            }
        }
        return new Parsed(outputs, List.copyOf(names), push);
    }

    /** True for an archive written to standard output ({@code dest=-}), which then carries nothing else. */
    static boolean writesToStdout(OutputSpec output) {
        return output instanceof OutputSpec.OciArchive oci && oci.dest() == null
                || output instanceof OutputSpec.DockerArchive docker && docker.dest() == null
                || output instanceof OutputSpec.RootfsTar tar && tar.dest() == null;
    }

    private static Map<String, String> fields(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : CsvFields.split("--output", spec)) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw Problem.invalid("invalid --output " + spec + ": " + field + " is not KEY=VALUE");
            }
            fields.put(field.substring(0, equals).strip().toLowerCase(Locale.ROOT), field.substring(equals + 1).strip());
        }
        return fields;
    }

    private static Path archivePath(String type, Path path, boolean stdoutIsTerminal) {
        if (path == null) {
            requireNoTerminal(type, stdoutIsTerminal);
        }
        return path;
    }

    private static void requireNoTerminal(String type, boolean stdoutIsTerminal) {
        if (stdoutIsTerminal) {
            throw Problem.invalid("dest file is required for " + type
                    + " exporter, refusing to write to console: add dest=FILE, or redirect standard output (> FILE, | …)");
        }
    }

    private static boolean bool(String spec, String key, String value) {
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw Problem.invalid("invalid --output " + spec + ": " + key + "=" + value + " is not a boolean");
        };
    }
}
