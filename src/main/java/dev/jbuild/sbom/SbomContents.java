package dev.jbuild.sbom;

import java.util.List;

/**
 * What a scan found: the distribution (from {@code os-release}, null when the tree has none) and the
 * packages, sorted by type, name, version and purl.
 */
public record SbomContents(Distro distro, List<SbomPackage> packages) {

    public SbomContents {
        packages = List.copyOf(packages);
    }

    /**
     * The distribution, from {@code os-release}: {@code ID}, {@code VERSION_ID}, {@code VERSION_CODENAME},
     * {@code PRETTY_NAME} ("" where the file has no such line).
     */
    public record Distro(String id, String versionId, String codename, String prettyName) {}
}
