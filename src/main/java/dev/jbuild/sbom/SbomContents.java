package dev.jbuild.sbom;

import java.util.List;

/**
 * What a scan found: the distribution (from {@code os-release}, null when the tree has none), the
 * packages, sorted by type, name, version and purl, and warnings about metadata that could not be read
 * (a corrupt rpm database, a jar that is not a readable zip: {@code /app/x.jar: ...}), for the user.
 */
public record SbomContents(Distro distro, List<SbomPackage> packages, List<String> warnings) {

    public SbomContents {
        packages = List.copyOf(packages);
        warnings = List.copyOf(warnings);
    }

    /**
     * The distribution, from {@code os-release}: {@code ID}, {@code VERSION_ID}, {@code VERSION_CODENAME},
     * {@code PRETTY_NAME} ("" where the file has no such line).
     */
    public record Distro(String id, String versionId, String codename, String prettyName) {}
}
