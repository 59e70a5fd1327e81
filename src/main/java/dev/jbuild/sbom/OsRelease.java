package dev.jbuild.sbom;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /etc/os-release} (or {@code /usr/lib/os-release}, which it usually links to): the
 * distribution the OS packages' purls name ({@code distro=debian-12}).
 */
final class OsRelease {

    private static final int LIMIT = 64 << 10;

    private OsRelease() {}

    /** The tree's distribution, empty when neither file is there. */
    static Optional<SbomContents.Distro> read(ScanTree tree) throws IOException {
        Optional<String> text = tree.readText("/etc/os-release", LIMIT);
        if (text.isEmpty()) {
            text = tree.readText("/usr/lib/os-release", LIMIT);
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> fields = parse(text.get());
        String id = fields.getOrDefault("ID", "");
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SbomContents.Distro(id, fields.getOrDefault("VERSION_ID", ""),
                fields.getOrDefault("VERSION_CODENAME", ""), fields.getOrDefault("PRETTY_NAME", "")));
    }

    /** The {@code KEY=value} lines, the shell quoting of values removed (os-release(5)). */
    static Map<String, String> parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq <= 0) {
                continue;
            }
            fields.put(line.substring(0, eq), unquote(line.substring(eq + 1)));
        }
        return fields;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            char quote = value.charAt(0);
            String inner = value.substring(1, value.length() - 1);
            return quote == '\'' ? inner : inner.replaceAll("\\\\([$\"`\\\\])", "$1");
        }
        return value;
    }
}
