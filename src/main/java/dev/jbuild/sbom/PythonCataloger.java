package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Python distributions: the core metadata of installed wheels ({@code *.dist-info/METADATA}) and of
 * eggs and setuptools installs ({@code *.egg-info/PKG-INFO}, or an {@code *.egg-info} file holding it).
 * Licenses: {@code License-Expression} (metadata 2.4), else a one-line {@code License} field, plus the
 * {@code License ::} trove classifiers' names.
 */
final class PythonCataloger implements Cataloger {

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        List<SbomPackage> packages = new ArrayList<>();
        for (RootFiles.Entry entry : tree.entries()) {
            if (entry.isRegular() && isMetadataFile(entry.path())) {
                Stanza header;
                try (InputStream in = tree.open(entry)) {
                    header = Stanza.readHeader(new Lines(in));
                }
                toPackage(header, entry.path()).ifPresent(packages::add);
            }
        }
        return packages;
    }

    static boolean isMetadataFile(String path) {
        int slash = path.lastIndexOf('/');
        String parent = path.substring(0, Math.max(slash, 0));
        String name = path.substring(slash + 1);
        return name.equals("METADATA") && parent.endsWith(".dist-info")
                || name.equals("PKG-INFO") && parent.endsWith(".egg-info")
                || name.endsWith(".egg-info");
    }

    static Optional<SbomPackage> toPackage(Stanza header, String location) {
        String name = header.first("Name");
        String version = header.first("Version");
        if (name.isEmpty() || version.isEmpty()) {
            return Optional.empty();
        }
        Set<String> licenses = new LinkedHashSet<>();
        String expression = header.first("License-Expression");
        String license = header.first("License");
        if (!expression.isEmpty()) {
            licenses.add(expression);
        } else if (!license.isEmpty() && !license.contains("\n") && !license.equalsIgnoreCase("UNKNOWN")) {
            licenses.add(license);
        }
        for (String classifier : header.all("Classifier")) {
            if (classifier.startsWith("License ::")) {
                licenses.add(classifier.substring(classifier.lastIndexOf("::") + 2).strip());
            }
        }
        String author = header.first("Author");
        if (author.isEmpty() || author.equalsIgnoreCase("UNKNOWN")) {
            author = header.first("Maintainer");
        }
        String supplier = author.equalsIgnoreCase("UNKNOWN") ? "" : author;
        return Purls.of("pypi", null, normalise(name), version, null)
                .map(purl -> new SbomPackage(name, version, "pypi", purl, List.copyOf(licenses), List.of(location),
                        DpkgCataloger.emptyToNull(supplier), null, null));
    }

    /** PEP 503: lower case, every run of {@code -}, {@code _} and {@code .} one {@code -}. */
    static String normalise(String name) {
        return name.replaceAll("[-_.]+", "-").toLowerCase(Locale.ROOT);
    }
}
