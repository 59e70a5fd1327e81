package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Debian and Ubuntu packages: dpkg's database {@code /var/lib/dpkg/status}, and distroless images'
 * {@code /var/lib/dpkg/status.d/*} (one file per package, each one or more stanzas, no dpkg). Only
 * installed packages count (dpkg's status {@code installed}; a package removed but with its
 * configuration left, or half-installed, is not in the image in any useful sense). Licenses come from
 * the DEP-5 {@code License:} fields of {@code /usr/share/doc/<package>/copyright}.
 */
final class DpkgCataloger implements Cataloger {

    static final String STATUS = "/var/lib/dpkg/status";
    static final String STATUS_D = "/var/lib/dpkg/status.d/";
    private static final int COPYRIGHT_LIMIT = 4 << 20;

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        List<SbomPackage> packages = new ArrayList<>();
        Optional<RootFiles.Entry> status = tree.resolve(STATUS);
        if (status.isPresent() && status.get().isRegular()) {
            read(tree, status.get(), distro, packages);
        }
        for (RootFiles.Entry entry : tree.entries()) {
            String path = entry.path();
            if (entry.isRegular() && path.startsWith(STATUS_D) && path.indexOf('/', STATUS_D.length()) < 0
                    && !path.endsWith(".md5sums")) {
                read(tree, entry, distro, packages);
            }
        }
        return packages;
    }

    private void read(ScanTree tree, RootFiles.Entry file, SbomContents.Distro distro, List<SbomPackage> into)
            throws IOException {
        List<Stanza> installed = new ArrayList<>();
        try (InputStream in = tree.open(file)) {
            Stanza.read(new Lines(in), stanza -> {
                if (isInstalled(stanza, file.path().startsWith(STATUS_D))) {
                    installed.add(stanza);
                }
                return true;
            });
        }
        for (Stanza stanza : installed) {
            into.add(toPackage(tree, stanza, file.path(), distro));
        }
    }

    /**
     * dpkg's {@code Status: <want> <flag> <status>}: installed with no error flag, whether wanted
     * (install) or held. status.d files of distroless images often have no Status line: their
     * presence means installed.
     */
    static boolean isInstalled(Stanza stanza, boolean statusD) {
        if (stanza.first("Package").isEmpty()) {
            return false;
        }
        String status = stanza.first("Status");
        if (status.isEmpty()) {
            return statusD;
        }
        String[] words = status.split("\\s+");
        return words.length == 3 && words[1].equals("ok") && words[2].equals("installed");
    }

    private SbomPackage toPackage(ScanTree tree, Stanza stanza, String location, SbomContents.Distro distro)
            throws IOException {
        String name = stanza.first("Package");
        String version = stanza.first("Version");
        String arch = stanza.first("Architecture");
        String source = stanza.first("Source");
        String namespace = distro == null || distro.id().isEmpty() ? "debian" : distro.id();
        String upstream = upstream(source, version);
        String purl = Purls.of("deb", namespace, name, version, Map.of(
                        "arch", arch,
                        "distro", distroQualifier(distro),
                        "upstream", upstream))
                .orElseThrow(() -> new IOException("not a valid package name in " + location + ": " + name));
        List<String> locations = new ArrayList<>(List.of(location));
        String copyright = "/usr/share/doc/" + name + "/copyright";
        List<String> licenses = List.of();
        Optional<String> text = tree.readText(copyright, COPYRIGHT_LIMIT);
        if (text.isPresent()) {
            licenses = copyrightLicenses(text.get());
            locations.add(copyright);
        }
        return new SbomPackage(name, version, "deb", purl, licenses, locations, emptyToNull(stanza.first("Maintainer")),
                emptyToNull(arch), emptyToNull(source));
    }

    /** {@code distro=debian-12}, as syft and Trivy write it; "" when the tree has no os-release. */
    static String distroQualifier(SbomContents.Distro distro) {
        if (distro == null) {
            return "";
        }
        return distro.versionId().isEmpty() ? distro.id() : distro.id() + "-" + distro.versionId();
    }

    /**
     * The purl's {@code upstream} qualifier: the source package, with its version when that differs
     * from the binary package's ({@code Source: glibc (2.36-9)}), as syft writes it.
     */
    static String upstream(String source, String version) {
        if (source.isEmpty()) {
            return "";
        }
        int paren = source.indexOf('(');
        if (paren < 0) {
            return source.strip();
        }
        String sourceName = source.substring(0, paren).strip();
        String sourceVersion = source.substring(paren + 1, source.lastIndexOf(')') > paren ? source.lastIndexOf(')')
                : source.length()).strip();
        return sourceVersion.equals(version) || sourceVersion.isEmpty() ? sourceName : sourceName + "@" + sourceVersion;
    }

    /** The values of DEP-5 {@code License:} fields (the short names on the field's first line), once each. */
    static List<String> copyrightLicenses(String text) {
        Set<String> licenses = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            if (line.regionMatches(true, 0, "License:", 0, 8)) {
                String value = line.substring(8).strip();
                if (!value.isEmpty()) {
                    licenses.add(value);
                }
            }
        }
        return List.copyOf(licenses);
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
