package dev.jbuild.sbom;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The entry point: {@link #scan} lists the packages of a file tree, {@link #write} makes a document of
 * them. Nothing here is loaded unless an SBOM is asked for (the CLI's {@code --sbom}), so the rest of
 * jbuild starts as before.
 *
 * <pre>{@code
 * SbomContents contents = Sboms.scan(RootFiles.directory(rootfs));
 * byte[] spdx = Sboms.write(contents, SbomFormat.SPDX_JSON,
 *         new SbomDocumentInfo("docker.io/library/app:1", manifestDigest, created, version));
 * }</pre>
 */
public final class Sboms {

    /** Package databases first, then language packages, each in one pass over the entries. */
    private static final List<Cataloger> CATALOGERS = List.of(
            new DpkgCataloger(),
            new ApkCataloger(),
            new RpmCataloger(),
            new JavaArchiveCataloger(),
            new NpmCataloger(),
            new PythonCataloger(),
            new GoBinaryCataloger());

    private static final Comparator<SbomPackage> ORDER = Comparator.comparing(SbomPackage::type)
            .thenComparing(SbomPackage::name)
            .thenComparing(SbomPackage::version)
            .thenComparing(SbomPackage::purl)
            .thenComparing(p -> String.join("\n", p.locations()));

    private Sboms() {}

    /**
     * The distribution and the packages of {@code files}, sorted; a package found twice with the same
     * purl (the same jar copied to two places) is listed once with both locations.
     */
    public static SbomContents scan(RootFiles files) throws IOException {
        ScanTree tree = ScanTree.of(files);
        SbomContents.Distro distro = OsRelease.read(tree).orElse(null);
        List<SbomPackage> found = new ArrayList<>();
        for (Cataloger cataloger : CATALOGERS) {
            found.addAll(cataloger.catalog(tree, distro));
        }
        return new SbomContents(distro, merge(found), tree.warnings());
    }

    /** The document of {@code contents} in {@code format}, UTF-8 JSON; the same arguments give the same bytes. */
    public static byte[] write(SbomContents contents, SbomFormat format, SbomDocumentInfo info) throws IOException {
        Objects.requireNonNull(format, "format");
        return switch (format) {
            case SPDX_JSON -> SpdxWriter.write(contents, info);
            case CYCLONEDX_JSON -> CycloneDxWriter.write(contents, info);
        };
    }

    private static List<SbomPackage> merge(List<SbomPackage> found) {
        Map<List<String>, List<SbomPackage>> byIdentity = new LinkedHashMap<>();
        for (SbomPackage p : found) {
            byIdentity.computeIfAbsent(List.of(p.type(), p.name(), p.version(), p.purl()), k -> new ArrayList<>()).add(p);
        }
        List<SbomPackage> merged = new ArrayList<>();
        for (List<SbomPackage> same : byIdentity.values()) {
            SbomPackage first = same.get(0);
            if (same.size() == 1) {
                merged.add(first);
                continue;
            }
            Set<String> licenses = new LinkedHashSet<>();
            Set<String> locations = new LinkedHashSet<>();
            for (SbomPackage p : same) {
                licenses.addAll(p.licenses());
                locations.addAll(p.locations());
            }
            merged.add(new SbomPackage(first.name(), first.version(), first.type(), first.purl(), List.copyOf(licenses),
                    List.copyOf(locations), first.supplier(), first.arch(), first.source()));
        }
        merged.sort(ORDER);
        return merged;
    }
}
