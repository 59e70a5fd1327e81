package dev.jbuild.api;

import dev.jbuild.engine.api.AttestationOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code --provenance}, {@code --sbom} and {@code --attest}, in buildx's spellings: a shorthand flag takes a
 * boolean as Go parses it ({@code true}, {@code 0}, {@code F}…) or the fields of {@code --attest} without
 * {@code type=}; {@code --attest type=provenance|sbom,KEY=VALUE,...} may be repeated, the last one of a type
 * wins. Provenance is on by default ({@code mode=min}) when the image is pushed, as buildx does, unless
 * {@code BUILDX_NO_DEFAULT_ATTESTATIONS} is set or it is turned off ({@code --provenance=false}).
 */
final class Attestations {

    private static final Set<String> GO_TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> GO_FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final Set<String> PROVENANCE_KEYS = Set.of("type", "disabled", "mode", "version", "builder-id", "reproducible");
    private static final Set<String> SBOM_KEYS = Set.of("type", "disabled", "scan-stage", "format", "generator");

    /** What was asked for; either may be null for none. */
    record Parsed(AttestationOptions.ProvenanceOptions provenance, AttestationOptions.SbomOptions sbom) {}

    private Attestations() {}

    /**
     * @param provenance  the {@code --provenance} value, or null
     * @param sbom        the {@code --sbom} value, or null
     * @param attest      the {@code --attest} values in order
     * @param pushing     whether the image is pushed (provenance's default)
     * @param env         the environment ({@code BUILDX_NO_DEFAULT_ATTESTATIONS})
     */
    static Parsed parse(String provenance, String sbom, List<String> attest, boolean pushing,
            Map<String, String> env) {
        // Each type's fields, the last flag that named it winning; null: not asked for either way.
        Map<String, Map<String, String>> byType = new LinkedHashMap<>();
        Map<String, String> flagOf = new LinkedHashMap<>(); // the flag that set each type, for messages
        for (String value : attest) {
            Map<String, String> fields = fields("--attest", value, null);
            String type = fields.get("type");
            if (type == null || type.isEmpty()) {
                throw Problem.invalid("invalid --attest " + value + ": attestation type not specified");
            }
            if (!type.equals("provenance") && !type.equals("sbom")) {
                throw Problem.invalid("invalid --attest " + value + ": unknown attestation type "
                        + type + " (jbuild makes provenance and sbom)");
            }
            byType.put(type, fields);
            flagOf.put(type, "--attest");
        }
        if (provenance != null) {
            byType.put("provenance", fields("--provenance", provenance, "provenance"));
            flagOf.put("provenance", "--provenance");
        }
        if (sbom != null) {
            byType.put("sbom", fields("--sbom", sbom, "sbom"));
            flagOf.put("sbom", "--sbom");
        }
        Map<String, String> provenanceFields = byType.get("provenance");
        if (provenanceFields == null && pushing && env.get("BUILDX_NO_DEFAULT_ATTESTATIONS") == null) {
            provenanceFields = Map.of("type", "provenance");
        }
        return new Parsed(provenance(provenanceFields), sbom(byType.get("sbom"), flagOf.get("sbom")));
    }

    private static AttestationOptions.ProvenanceOptions provenance(Map<String, String> fields) {
        if (fields == null || disabled(fields)) {
            return null;
        }
        check(fields, PROVENANCE_KEYS, "provenance");
        String mode = fields.getOrDefault("mode", "min");
        if (!mode.equals("min") && !mode.equals("max")) {
            throw Problem.invalid("invalid provenance mode " + mode + ": expected min or max");
        }
        String version = fields.getOrDefault("version", "v0.2");
        if (!version.equals("v0.2") && !version.equals("v1")) {
            throw Problem.invalid("invalid provenance version " + version + ": expected v0.2 or v1");
        }
        return new AttestationOptions.ProvenanceOptions(mode.equals("max"), version, fields.get("builder-id"),
                bool(fields, "reproducible"));
    }

    private static AttestationOptions.SbomOptions sbom(Map<String, String> fields, String flag) {
        if (fields == null || disabled(fields)) {
            return null;
        }
        check(fields, SBOM_KEYS, "sbom");
        if (fields.containsKey("generator")) {
            throw Problem.notImplemented(flag + (flag.equals("--attest") ? " type=sbom," : "=")
                    + "generator=" + fields.get("generator"),
                    "jbuild scans the image itself; a scanner image cannot be used");
        }
        String format = fields.getOrDefault("format", "spdx").toLowerCase(Locale.ROOT);
        if (!format.equals("spdx") && !format.equals("cyclonedx")) {
            throw Problem.invalid("invalid sbom format " + format + ": expected spdx or cyclonedx");
        }
        return new AttestationOptions.SbomOptions(bool(fields, "scan-stage"), format);
    }

    /**
     * A value's fields by lower-case key. For a shorthand flag ({@code type} not null) a lone boolean is
     * {@code disabled=!value}, and {@code type} is implied.
     */
    private static Map<String, String> fields(String flag, String value, String type) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (type != null) {
            fields.put("type", type);
            if (GO_TRUE.contains(value) || GO_FALSE.contains(value)) {
                fields.put("disabled", String.valueOf(GO_FALSE.contains(value)));
                return fields;
            }
        }
        for (String field : CsvFields.split(flag, value)) {
            int equals = field.indexOf('=');
            if (equals < 0) {
                throw Problem.invalid("invalid " + flag + " " + value + ": " + field + " is not KEY=VALUE");
            }
            String key = field.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            if (type != null && key.equals("type") && !field.substring(equals + 1).equals(type)) {
                throw Problem.invalid("invalid " + flag + " " + value + ": " + flag + " makes only "
                        + type + " attestations");
            }
            fields.put(key, field.substring(equals + 1));
        }
        return fields;
    }

    private static boolean disabled(Map<String, String> fields) {
        return bool(fields, "disabled");
    }

    private static boolean bool(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            return false;
        }
        if (!GO_TRUE.contains(value) && !GO_FALSE.contains(value)) {
            throw Problem.invalid("invalid " + fields.get("type") + " attestation: " + key + "="
                    + value + " is not a boolean");
        }
        return GO_TRUE.contains(value);
    }

    private static void check(Map<String, String> fields, Set<String> known, String type) {
        for (String key : fields.keySet()) {
            if (!known.contains(key)) {
                throw Problem.invalid("invalid " + type + " attestation: unknown option " + key
                        + " (known: " + String.join(", ", known.stream().filter(k -> !k.equals("type")).sorted().toList()) + ")");
            }
        }
    }
}
