package dev.jbuild.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --secret id=ID[,src=FILE|env=VAR]} as buildx reads it. Values from the environment are
 * written to a private file in the build's scratch space (mode 0600) and removed with it; the
 * value never reaches a log, a layer, the history or a cache key.
 */
final class Secrets {

    private Secrets() {}

    /** Where a secret's value is: an environment variable ({@code env}) or a file ({@code src}), one of them set. */
    private record Source(String src, String env) {}

    /** buildx's rule: {@code src=}/{@code source=} or {@code env=}; a bare id reads the variable of that name, else the file. */
    private static Source source(Map<String, String> fields, Map<String, String> environment) {
        String id = fields.get("id");
        String src = fields.containsKey("src") ? fields.get("src") : fields.get("source");
        String env = fields.get("env");
        if (src == null && env == null) {
            return environment.get(id) != null ? new Source(null, id) : new Source(id, null);
        }
        return new Source(src, env);
    }

    static Map<String, Path> parse(List<String> specs, Path scratch, Map<String, String> env) {
        Map<String, Path> result = new LinkedHashMap<>();
        for (String spec : specs) {
            Map<String, String> fields = fields(spec);
            String id = fields.get("id");
            Source source = source(fields, env);
            result.put(id, source.env() != null ? fromEnvironment(id, source.env(), scratch, env)
                    : fromFile(id, source.src()));
        }
        return result;
    }

    /**
     * The values of the secrets whose id {@code wanted} accepts, read where {@link #parse} would read
     * them, without writing them anywhere: for what the build needs before it starts (the git
     * credentials of a remote context). A missing source is the same usage error as in {@link #parse}.
     */
    static Map<String, String> values(List<String> specs, java.util.function.Predicate<String> wanted,
            Map<String, String> environment) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String spec : specs) {
            Map<String, String> fields = fields(spec);
            String id = fields.get("id");
            if (!wanted.test(id)) {
                continue;
            }
            Source source = source(fields, environment);
            String src = source.src();
            String env = source.env();
            if (env != null) {
                String value = environment.get(env);
                if (value == null) {
                    throw Problem.invalid("--secret " + id + ": environment variable " + env + " is not set");
                }
                result.put(id, value);
            } else {
                try {
                    result.put(id, Files.readString(fromFile(id, src), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw Problem.invalid("--secret " + id + ": cannot read " + src + ": " + e.getMessage());
                }
            }
        }
        return result;
    }

    /** The ids of the secrets, for the build record: never a value, nor where it comes from. */
    static List<String> ids(List<String> specs) {
        return specs.stream().map(spec -> fields(spec).get("id")).distinct().toList();
    }

    /** One {@code --secret}'s fields; it must have an id. */
    private static Map<String, String> fields(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : CsvFields.split("--secret", spec)) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw Problem.invalid("invalid --secret " + field + ": expected id=ID,src=FILE or id=ID,env=VAR");
            }
            fields.put(field.substring(0, equals).trim(), field.substring(equals + 1).trim());
        }
        String id = fields.get("id");
        if (id == null || id.isEmpty()) {
            throw Problem.invalid("--secret needs id=ID");
        }
        return fields;
    }

    private static Path fromFile(String id, String src) {
        Path file = Path.of(src).toAbsolutePath();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw Problem.invalid("--secret " + id + ": cannot read " + src);
        }
        return file;
    }

    private static Path fromEnvironment(String id, String variable, Path scratch, Map<String, String> env) {
        String value = env.get(variable);
        if (value == null) {
            throw Problem.invalid("--secret " + id + ": environment variable " + variable + " is not set");
        }
        try {
            Files.createDirectories(scratch);
            Path file = Files.createTempFile(scratch, "secret-", "", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw Problem.failed("error: storing secret " + id + ": " + e.getMessage());
        }
    }
}
