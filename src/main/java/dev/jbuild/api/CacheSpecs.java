package dev.jbuild.api;

import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.image.ImageName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --cache-from} and {@code --cache-to} in buildx's syntax ({@code type=registry|local|inline}
 * plus options). Every option buildx has is either implemented or rejected with a reason; none is
 * accepted and ignored.
 */
final class CacheSpecs {

    private static final String TYPES = "type=registry, type=local and type=inline are";

    private CacheSpecs() {}

    static List<CacheOptions.CacheImport> imports(List<String> specs) {
        List<Map<String, String>> entries = new ArrayList<>();
        for (String spec : specs) {
            if (spec.contains("=")) {
                entries.add(fields(spec, "--cache-from"));
                continue;
            }
            // buildx: a value without '=' is registry references, each field of it one.
            for (String ref : CsvFields.split("--cache-from", spec)) {
                entries.add(new LinkedHashMap<>(Map.of("type", "registry", "ref", ref.trim())));
            }
        }
        List<CacheOptions.CacheImport> sources = new ArrayList<>();
        for (Map<String, String> fields : entries) {
            String type = fields.remove("type");
            switch (type) {
                case "local": {
                    String src = required(fields, "src", "--cache-from type=local needs src=DIR");
                    rejectRest(fields, "--cache-from type=local");
                    sources.add(new CacheOptions.LocalImport(Path.of(src).toAbsolutePath()));
                    break;
                }
                case "registry": {
                    String ref = required(fields, "ref", "--cache-from type=registry needs ref=REGISTRY/NAME:TAG");
                    rejectRest(fields, "--cache-from type=registry");
                    sources.add(new CacheOptions.RegistryImport(reference(ref, "--cache-from", true)));
                    break;
                }
                case "inline":
                    throw Problem.invalid("--cache-from type=inline: an image's inline cache is read with"
                            + " --cache-from type=registry,ref=IMAGE");
                default:
                    throw Problem.invalid("--cache-from type=" + type + ": not implemented (" + TYPES + ")");
            }
        }
        return sources;
    }

    static List<CacheOptions.CacheExport> exports(List<String> specs) {
        List<CacheOptions.CacheExport> exports = new ArrayList<>();
        for (String spec : specs) {
            Map<String, String> fields = fields(spec, "--cache-to");
            String type = fields.remove("type");
            String flag = "--cache-to type=" + type;
            if (!type.equals("local") && !type.equals("registry") && !type.equals("inline")) {
                throw Problem.invalid(flag + ": not implemented (" + TYPES + ")");
            }
            String mode = fields.getOrDefault("mode", "min");
            fields.remove("mode");
            if (!mode.equals("min") && !mode.equals("max")) {
                throw Problem.invalid(flag + " mode=" + mode + ": min or max");
            }
            boolean max = mode.equals("max");
            if (type.equals("inline")) {
                if (max) {
                    throw Problem.invalid("--cache-to type=inline supports mode=min only: the image carries"
                            + " its own layers, not those of other stages; use type=registry,ref=...,mode=max");
                }
                rejectRest(fields, flag);
                exports.add(new CacheOptions.InlineExport());
                continue;
            }
            boolean ignoreError = bool(fields.remove("ignore-error"), flag + " ignore-error");
            for (String option : List.of("compression", "compression-level", "force-compression")) {
                if (fields.containsKey(option)) {
                    throw Problem.invalid(flag + ": " + option + "= is not supported: the cache holds the"
                            + " build's own layers, compressed as --compression says");
                }
            }
            if (type.equals("local")) {
                String dest = required(fields, "dest", "--cache-to type=local needs dest=DIR");
                rejectRest(fields, flag);
                exports.add(new CacheOptions.LocalExport(Path.of(dest).toAbsolutePath(), max, ignoreError));
                continue;
            }
            // What these ask for is what jbuild always writes (see docs/caching.md, "Cache format").
            onlyTrue(fields.remove("oci-mediatypes"), flag + " oci-mediatypes", "jbuild writes OCI media types only");
            onlyTrue(fields.remove("image-manifest"), flag + " image-manifest",
                    "jbuild always stores the cache's layers in an image manifest");
            String ref = required(fields, "ref", "--cache-to type=registry needs ref=REGISTRY/NAME:TAG");
            rejectRest(fields, flag);
            exports.add(new CacheOptions.RegistryExport(reference(ref, "--cache-to", false), max, ignoreError));
        }
        return exports;
    }

    /** The registries of {@code imports} and {@code exports}: like pushed images, they get {@code --creds}. */
    static List<ImageName> registryReferences(List<CacheOptions.CacheImport> imports, List<CacheOptions.CacheExport> exports) {
        List<ImageName> names = new ArrayList<>();
        for (CacheOptions.CacheImport source : imports) {
            if (source instanceof CacheOptions.RegistryImport registry) {
                names.add(registry.ref());
            }
        }
        for (CacheOptions.CacheExport export : exports) {
            if (export instanceof CacheOptions.RegistryExport registry) {
                names.add(registry.ref());
            }
        }
        return names;
    }

    private static ImageName reference(String ref, String flag, boolean digestAllowed) {
        ImageName name;
        try {
            name = ImageName.parse(ref);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("invalid " + flag + " ref=" + ref + ": " + e.getMessage());
        }
        if (!digestAllowed && name.digest() != null) {
            throw Problem.invalid("invalid " + flag + " ref=" + ref + ": the cache is pushed under a tag, not a digest");
        }
        return name;
    }

    private static String required(Map<String, String> fields, String name, String message) {
        String value = fields.remove(name);
        if (value == null || value.isEmpty()) {
            throw Problem.invalid(message);
        }
        return value;
    }

    private static boolean bool(String value, String what) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw Problem.invalid(what + "=" + value + ": true or false");
    }

    private static void onlyTrue(String value, String what, String reason) {
        if (!bool(value, what) && value != null) {
            throw Problem.invalid(what + "=false is not supported: " + reason);
        }
    }

    private static Map<String, String> fields(String spec, String flag) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : CsvFields.split(flag, spec)) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw Problem.invalid("invalid " + flag + " " + spec + ": " + field + " is not KEY=VALUE");
            }
            String key = field.substring(0, equals).trim();
            if (fields.put(key, field.substring(equals + 1).trim()) != null) {
                throw Problem.invalid("invalid " + flag + " " + spec + ": " + key + " given twice");
            }
        }
        if (!fields.containsKey("type")) {
            throw Problem.invalid(flag + " " + spec + ": type= is required");
        }
        return fields;
    }

    private static void rejectRest(Map<String, String> fields, String flag) {
        if (!fields.isEmpty()) {
            throw Problem.invalid(flag + ": option " + fields.keySet().iterator().next() + " is not supported");
        }
    }
}
