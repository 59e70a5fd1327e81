package dev.jbuild.cli;

import dev.jbuild.build.CacheOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code --cache-from} and {@code --cache-to} in buildx's syntax; only {@code type=local} so far. */
final class CacheSpecs {

    private CacheSpecs() {}

    static List<Path> imports(List<String> specs, CommandLine commandLine) {
        List<Path> sources = new ArrayList<>();
        for (String spec : specs) {
            Map<String, String> fields = fields(spec, "--cache-from", commandLine);
            String src = fields.remove("src");
            if (src == null) {
                throw new ParameterException(commandLine, "--cache-from type=local needs src=DIR");
            }
            rejectRest(fields, "--cache-from", commandLine);
            sources.add(Path.of(src).toAbsolutePath());
        }
        return sources;
    }

    static CacheOptions.CacheExport export(List<String> specs, CommandLine commandLine) {
        if (specs.isEmpty()) {
            return null;
        }
        if (specs.size() > 1) {
            throw new ParameterException(commandLine, "--cache-to: one destination at a time");
        }
        Map<String, String> fields = fields(specs.get(0), "--cache-to", commandLine);
        String dest = fields.remove("dest");
        if (dest == null) {
            throw new ParameterException(commandLine, "--cache-to type=local needs dest=DIR");
        }
        String mode = fields.getOrDefault("mode", "min");
        fields.remove("mode");
        if (!mode.equals("min") && !mode.equals("max")) {
            throw new ParameterException(commandLine, "--cache-to mode=" + mode + ": min or max");
        }
        rejectRest(fields, "--cache-to", commandLine);
        return new CacheOptions.CacheExport(Path.of(dest).toAbsolutePath(), mode.equals("max"));
    }

    private static Map<String, String> fields(String spec, String flag, CommandLine commandLine) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new ParameterException(commandLine, "invalid " + flag + " " + spec + ": " + field + " is not KEY=VALUE");
            }
            fields.put(field.substring(0, equals).trim(), field.substring(equals + 1).trim());
        }
        String type = fields.remove("type");
        if (type == null) {
            throw new ParameterException(commandLine, flag + " " + spec + ": type= is required");
        }
        if (!type.equals("local")) {
            throw new ParameterException(commandLine, flag + " type=" + type + ": not implemented yet (type=local is)");
        }
        return fields;
    }

    private static void rejectRest(Map<String, String> fields, String flag, CommandLine commandLine) {
        if (!fields.isEmpty()) {
            throw new ParameterException(commandLine, flag + ": option " + fields.keySet().iterator().next() + " is not implemented yet");
        }
    }
}
