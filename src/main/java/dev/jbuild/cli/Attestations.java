package dev.jbuild.cli;

import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code --provenance}, {@code --sbom} and {@code --attest}: jbuild makes no attestations yet, so
 * only the forms that turn one off are accepted, in buildx's spellings: a boolean as Go parses it
 * ({@code false}, {@code 0}, {@code f}, {@code FALSE}…) or a field list with {@code disabled=true}
 * ({@code --provenance=mode=max,disabled=true}, {@code --attest type=sbom,disabled=true}).
 */
final class Attestations {

    private static final Set<String> GO_TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> GO_FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    private Attestations() {}

    /**
     * @param type  the attestation a shorthand flag names ({@code provenance}), or null for {@code --attest}
     * @param value the flag's value, null when it was not given
     */
    static void requireDisabled(CommandSpec spec, String flag, String type, String value) {
        if (value == null) {
            return;
        }
        if (type != null && GO_FALSE.contains(value)) {
            return;
        }
        if (type != null && GO_TRUE.contains(value)) {
            throw refused(spec, flag + "=" + value);
        }
        String attestType = type;
        boolean disabled = false;
        for (String field : CsvFields.split(flag, value, spec.commandLine())) {
            int equals = field.indexOf('=');
            if (equals < 0) {
                throw new ParameterException(spec.commandLine(), "invalid " + flag + " " + value + ": " + field + " is not KEY=VALUE");
            }
            String key = field.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String fieldValue = field.substring(equals + 1);
            if (key.equals("type")) {
                attestType = fieldValue;
            } else if (key.equals("disabled")) {
                if (!GO_TRUE.contains(fieldValue) && !GO_FALSE.contains(fieldValue)) {
                    throw new ParameterException(spec.commandLine(), "invalid " + flag + " " + value + ": disabled=" + fieldValue + " is not a boolean");
                }
                disabled = GO_TRUE.contains(fieldValue);
            }
        }
        if (attestType == null || attestType.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "invalid " + flag + " " + value + ": attestation type not specified");
        }
        if (!disabled) {
            throw refused(spec, flag + (type == null ? " type=" + attestType : "=" + value));
        }
    }

    private static ParameterException refused(CommandSpec spec, String what) {
        return UnimplementedBuildFlags.notImplemented(spec, what,
                "jbuild makes no SBOM or provenance attestations; --provenance=false and --sbom=false are accepted");
    }
}
