package dev.jbuild.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Package URLs, through {@code packageurl-java} (which CycloneDX's library brings): its encoder applies
 * the purl rules (each namespace segment, the name and the version percent-encoded, qualifiers sorted,
 * the type's own normalisation such as pypi's lower case), so no second encoder lives here.
 */
final class Purls {

    private Purls() {}

    /**
     * The purl, or empty when the parts are not a valid one (an empty name); null or empty parts and
     * qualifier values are left out.
     */
    static Optional<String> of(String type, String namespace, String name, String version, Map<String, String> qualifiers) {
        TreeMap<String, String> kept = new TreeMap<>();
        if (qualifiers != null) {
            qualifiers.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    kept.put(k, v);
                }
            });
        }
        try {
            return Optional.of(new PackageURL(type, empty(namespace), name, empty(version), kept.isEmpty() ? null : kept,
                            null)
                    .canonicalize());
        } catch (MalformedPackageURLException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A Go module path as a purl: the last element is the name, the rest the namespace. */
    static Optional<String> golang(String module, String version) {
        int slash = module.lastIndexOf('/');
        return slash < 0
                ? of("golang", null, module, version, null)
                : of("golang", module.substring(0, slash), module.substring(slash + 1), version, null);
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
