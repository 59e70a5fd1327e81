package dev.jbuild.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Package URLs: {@code packageurl-java} (which CycloneDX's library brings) checks the parts and applies the
 * type's normalisation (pypi's lower case and dashes, lower-case deb and npm names); the string is written
 * as packageurl-go writes it ({@link dev.jbuild.attestation.Purls#toString}), as the purls of BuildKit's
 * scanner are, so a version keeps its {@code +} and {@code :} ({@code @2.36-9+deb12u10}) where
 * packageurl-java's own form would escape them.
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
            PackageURL purl = new PackageURL(type, empty(namespace), name, empty(version), kept.isEmpty() ? null : kept, null);
            return Optional.of(dev.jbuild.attestation.Purls.toString(purl.getType(), purl.getNamespace(), purl.getName(),
                    purl.getVersion(), purl.getQualifiers() == null ? null : new TreeMap<>(purl.getQualifiers())));
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
