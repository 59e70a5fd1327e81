package dev.jbuild.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which declared licenses are SPDX license expressions: SPDX 2.3's {@code licenseDeclared} must be one
 * (or {@code NOASSERTION}), so any other text ({@code GPL-2+} of a Debian copyright file, "BSD License"
 * of a Python classifier) becomes a {@code LicenseRef-} with the text kept in
 * {@code hasExtractedLicensingInfos}, as syft does. The known ids are SPDX's license list as CycloneDX's
 * library ships it ({@code licenses/licenses.json}), read when a document is written, not before.
 */
final class SpdxLicenses {

    /** Lower-case id → the id as SPDX spells it. */
    private final Map<String, String> ids;
    private final String listVersion;
    /** LicenseRef id → the text it stands for, for the document's extracted licensing infos. */
    private final Map<String, String> extracted = new TreeMap<>();

    private SpdxLicenses(Map<String, String> ids, String listVersion) {
        this.ids = ids;
        this.listVersion = listVersion;
    }

    static SpdxLicenses load() {
        try (InputStream in = SpdxLicenses.class.getResourceAsStream("/licenses/licenses.json")) {
            if (in == null) {
                throw new IllegalStateException("SPDX license list missing from the class path (licenses/licenses.json)");
            }
            JsonNode list = new ObjectMapper().readTree(in);
            Map<String, String> ids = new HashMap<>();
            for (JsonNode license : list.path("licenses")) {
                String id = license.path("licenseId").asText();
                ids.put(id.toLowerCase(Locale.ROOT), id);
            }
            return new SpdxLicenses(ids, list.path("licenseListVersion").asText(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id of SPDX's list that {@code text} is, in SPDX's spelling, or null. */
    String canonicalId(String text) {
        return ids.get(text.strip().toLowerCase(Locale.ROOT));
    }

    String listVersion() {
        return listVersion;
    }

    Map<String, String> extracted() {
        return extracted;
    }

    /** The licenses joined with {@code AND}, each an SPDX expression or a LicenseRef; NOASSERTION for none. */
    String declared(Iterable<String> licenses) {
        StringBuilder out = new StringBuilder();
        for (String license : licenses) {
            String expression = expression(license);
            if (out.length() > 0) {
                out.append(" AND ");
            }
            boolean compound = expression.contains(" ");
            out.append(compound ? "(" + expression + ")" : expression);
        }
        return out.length() == 0 ? "NOASSERTION" : out.toString();
    }

    private String expression(String license) {
        String text = license.strip();
        if (isExpression(text)) {
            return text;
        }
        String ref = licenseRef(text);
        extracted.put(ref, text);
        return ref;
    }

    /** Ids of SPDX's list (an optional {@code +}), LicenseRefs, AND/OR/WITH and parentheses. */
    boolean isExpression(String text) {
        String spaced = text.replace("(", " ( ").replace(")", " ) ");
        boolean expectId = true;
        boolean afterWith = false;
        int depth = 0;
        for (String token : spaced.trim().split("\\s+")) {
            if (token.equals("(")) {
                if (!expectId) {
                    return false;
                }
                depth++;
            } else if (token.equals(")")) {
                if (expectId || --depth < 0) {
                    return false;
                }
            } else if (token.equals("AND") || token.equals("OR") || token.equals("WITH")) {
                if (expectId) {
                    return false;
                }
                expectId = true;
                afterWith = token.equals("WITH");
            } else {
                if (!expectId) {
                    return false;
                }
                boolean known = afterWith ? token.matches("[A-Za-z0-9.-]+")
                        : token.startsWith("LicenseRef-") ? token.matches("LicenseRef-[A-Za-z0-9.-]+")
                        : ids.containsKey(token.toLowerCase(Locale.ROOT))
                        || ids.containsKey(token.toLowerCase(Locale.ROOT).replaceFirst("\\+$", ""));
                if (!known) {
                    return false;
                }
                expectId = false;
                afterWith = false;
            }
        }
        return !expectId && depth == 0;
    }

    /** {@code LicenseRef-<text>} when the text is made of allowed characters, else its safe part and a hash. */
    static String licenseRef(String text) {
        if (text.matches("[A-Za-z0-9.-]{1,64}")) {
            return "LicenseRef-" + text;
        }
        String safe = text.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        if (safe.length() > 40) {
            safe = safe.substring(0, 40);
        }
        String hash = Digest.of(text.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 8);
        return "LicenseRef-" + (safe.isEmpty() ? "" : safe + "-") + hash;
    }
}
