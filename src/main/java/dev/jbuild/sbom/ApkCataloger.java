package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Alpine packages: apk's database {@code /lib/apk/db/installed}, one stanza per installed package of
 * single-letter fields (https://wiki.alpinelinux.org/wiki/Apk_spec): {@code P} name, {@code V}
 * version, {@code A} architecture, {@code L} license, {@code o} origin (the source package),
 * {@code m} maintainer; the file lists ({@code F}, {@code R}, ...) are not needed.
 */
final class ApkCataloger implements Cataloger {

    static final String INSTALLED = "/lib/apk/db/installed";

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        Optional<RootFiles.Entry> installed = tree.resolve(INSTALLED);
        if (installed.isEmpty() || !installed.get().isRegular()) {
            return List.of();
        }
        List<SbomPackage> packages = new ArrayList<>();
        try (InputStream in = tree.open(installed.get())) {
            Lines lines = new Lines(in);
            Map<Character, String> fields = new HashMap<>();
            String line;
            do {
                line = lines.next();
                if (line == null || line.isBlank()) {
                    if (!fields.isEmpty()) {
                        toPackage(fields, distro).ifPresent(packages::add);
                        fields.clear();
                    }
                } else if (line.length() >= 2 && line.charAt(1) == ':') {
                    // Only the first of a repeated letter: the package fields appear once, before the files.
                    fields.putIfAbsent(line.charAt(0), line.substring(2));
                }
            } while (line != null);
        }
        return packages;
    }

    private static Optional<SbomPackage> toPackage(Map<Character, String> fields, SbomContents.Distro distro) {
        String name = fields.getOrDefault('P', "").strip();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String version = fields.getOrDefault('V', "").strip();
        String arch = fields.getOrDefault('A', "").strip();
        String origin = fields.getOrDefault('o', "").strip();
        String license = fields.getOrDefault('L', "").strip();
        String distroQualifier = distro == null || distro.versionId().isEmpty() ? ""
                : "alpine-" + distro.versionId();
        return Purls.of("apk", "alpine", name, version, Map.of(
                        "arch", arch,
                        "distro", distroQualifier,
                        "upstream", origin.equals(name) ? "" : origin))
                .map(purl -> new SbomPackage(name, version, "apk", purl,
                        license.isEmpty() ? List.of() : List.of(license), List.of(INSTALLED),
                        DpkgCataloger.emptyToNull(fields.getOrDefault('m', "").strip()),
                        DpkgCataloger.emptyToNull(arch), DpkgCataloger.emptyToNull(origin)));
    }
}
