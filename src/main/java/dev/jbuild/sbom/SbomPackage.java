package dev.jbuild.sbom;

import java.util.List;
import java.util.Objects;

/**
 * One package the scan found.
 *
 * @param name      the package's name in its ecosystem ({@code libc6}, {@code com.fasterxml.jackson.core:jackson-databind}
 *                  for Maven, {@code @scope/name} for npm)
 * @param version   as the metadata states it, or "" when it states none
 * @param type      the ecosystem, the purl type: {@code deb}, {@code apk}, {@code maven}, {@code npm},
 *                  {@code pypi}, {@code golang}
 * @param purl      the package URL
 * @param licenses  declared licenses as found (SPDX ids or expressions where the metadata uses them,
 *                  otherwise its text), in order, without duplicates; empty when none is declared
 * @param locations the absolute paths of the files the package was read from, sorted
 * @param supplier  maintainer or author where the metadata names one, otherwise null
 * @param arch      the architecture the metadata states (dpkg, apk), otherwise null
 * @param source    the source package ({@code glibc} or {@code glibc (2.36-9)}, apk's origin), otherwise null
 */
public record SbomPackage(
        String name,
        String version,
        String type,
        String purl,
        List<String> licenses,
        List<String> locations,
        String supplier,
        String arch,
        String source) {

    public SbomPackage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(purl, "purl");
        licenses = List.copyOf(licenses);
        locations = locations.stream().sorted().distinct().toList();
    }
}
