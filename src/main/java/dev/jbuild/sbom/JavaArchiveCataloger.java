package dev.jbuild.sbom;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Java archives ({@code .jar}, {@code .war}, {@code .ear}) and the archives inside them (Spring Boot's
 * {@code BOOT-INF/lib/*.jar}, {@code WEB-INF/lib/*.jar}, an ear's modules). Each archive is read once
 * as a stream ({@link ZipInputStream}, no temporary file, nothing but the small metadata files held):
 *
 * <ul>
 *   <li>every {@code META-INF/maven/<group>/<artifact>/pom.properties} is one package (a shaded jar has
 *       one per library it bundles);</li>
 *   <li>without one, the manifest: {@code Implementation-Title}/{@code -Version} or OSGi's
 *       {@code Bundle-SymbolicName}/{@code Bundle-Version}, {@code Implementation-Vendor-Id} as the group;</li>
 *   <li>without a usable manifest, the file name {@code name-1.2.3.jar}.</li>
 * </ul>
 * A nested archive's location is {@code /outer.jar!/BOOT-INF/lib/inner.jar}, Java's jar-URL form.
 */
final class JavaArchiveCataloger implements Cataloger {

    /** Archives inside archives inside an image archive, no deeper: nothing real nests further. */
    static final int MAX_DEPTH = 2;
    /** pom.properties and manifests are a few KiB; a larger one is not metadata. */
    static final int METADATA_LIMIT = 1 << 20;
    /** Entries read per archive, at most: a stream has no central directory to tell how many there are. */
    static final int MAX_ENTRIES = 1 << 17;

    private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/[^/]+/[^/]+/pom\\.properties");
    private static final Pattern FILE_NAME_VERSION = Pattern.compile("(.+?)-(\\d[^-]*(?:-[A-Za-z0-9.]+)*)");

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        List<SbomPackage> packages = new ArrayList<>();
        for (RootFiles.Entry entry : tree.entries()) {
            if (entry.isRegular() && isArchiveName(entry.name())) {
                try (InputStream in = tree.open(entry)) {
                    scan(in, entry.path(), entry.name(), 0, packages, tree::warn);
                }
            }
        }
        return packages;
    }

    static boolean isArchiveName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".jar") || lower.endsWith(".war") || lower.endsWith(".ear");
    }

    /** Reads one archive from {@code in} (not closed), adding its packages and those of the archives in it. */
    static void scan(InputStream in, String location, String fileName, int depth, List<SbomPackage> into,
            Consumer<String> warnings) throws IOException {
        List<Properties> poms = new ArrayList<>();
        Manifest manifest = null;
        List<SbomPackage> nested = new ArrayList<>();
        try {
            ZipInputStream zip = new ZipInputStream(in);
            ZipEntry entry;
            int count = 0;
            while ((entry = zip.getNextEntry()) != null && count++ < MAX_ENTRIES) {
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (POM_PROPERTIES.matcher(name).matches()) {
                    Properties properties = new Properties();
                    properties.load(new ByteArrayInputStream(ScanTree.readBounded(zip, METADATA_LIMIT)));
                    poms.add(properties);
                } else if (name.equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                    manifest = new Manifest(new ByteArrayInputStream(ScanTree.readBounded(zip, METADATA_LIMIT)));
                } else if (depth < MAX_DEPTH && isArchiveName(name)) {
                    String baseName = name.substring(name.lastIndexOf('/') + 1);
                    scan(new Unclosable(zip), location + "!/" + name, baseName, depth + 1, nested, warnings);
                }
            }
        } catch (ZipException | EOFException | IllegalArgumentException e) {
            // Not a zip a stream can read (stored entries with data descriptors, a cut or broken file): what was
            // read so far counts, the rest of the archive is not scanned.
            warnings.accept(location + ": not read to the end: " + e.getMessage());
        }
        List<SbomPackage> own = new ArrayList<>();
        for (Properties pom : poms) {
            fromPom(pom, location, poms.size() == 1 ? manifest : null).ifPresent(own::add);
        }
        if (own.isEmpty() && manifest != null) {
            fromManifest(manifest, location, fileName).ifPresent(own::add);
        }
        if (own.isEmpty()) {
            fromFileName(location, fileName).ifPresent(own::add);
        }
        into.addAll(own);
        into.addAll(nested);
    }

    private static Optional<SbomPackage> fromPom(Properties pom, String location, Manifest manifest) {
        String group = pom.getProperty("groupId", "").strip();
        String artifact = pom.getProperty("artifactId", "").strip();
        String version = pom.getProperty("version", "").strip();
        if (group.isEmpty() || artifact.isEmpty()) {
            return Optional.empty();
        }
        return maven(group, artifact, version, location, manifest);
    }

    private static Optional<SbomPackage> fromManifest(Manifest manifest, String location, String fileName) {
        Attributes main = manifest.getMainAttributes();
        String title = value(main, "Implementation-Title");
        String version = value(main, "Implementation-Version");
        if (title.isEmpty() || version.isEmpty()) {
            // OSGi: "org.example.lib;singleton:=true"
            title = value(main, "Bundle-SymbolicName").replaceFirst(";.*", "").strip();
            version = value(main, "Bundle-Version");
        }
        if (title.isEmpty()) {
            return Optional.empty();
        }
        String group = value(main, "Implementation-Vendor-Id");
        if (group.isEmpty()) {
            // Without a group the purl names the title as both, as the manifest gives nothing better.
            group = title;
        }
        return maven(group, title, version, location, manifest);
    }

    private static Optional<SbomPackage> fromFileName(String location, String fileName) {
        String stem = fileName.substring(0, fileName.lastIndexOf('.'));
        Matcher m = FILE_NAME_VERSION.matcher(stem);
        if (!m.matches()) {
            return Optional.empty();
        }
        return maven(m.group(1), m.group(1), m.group(2), location, null);
    }

    private static Optional<SbomPackage> maven(String group, String artifact, String version, String location,
            Manifest manifest) {
        List<String> licenses = List.of();
        String supplier = null;
        if (manifest != null) {
            Attributes main = manifest.getMainAttributes();
            String license = value(main, "Bundle-License");
            licenses = license.isEmpty() ? List.of() : List.of(license);
            String vendor = value(main, "Implementation-Vendor");
            supplier = DpkgCataloger.emptyToNull(vendor.isEmpty() ? value(main, "Bundle-Vendor") : vendor);
        }
        List<String> licenseList = licenses;
        String vendor = supplier;
        return Purls.of("maven", group, artifact, version, null)
                .map(purl -> new SbomPackage(group + ":" + artifact, version, "maven", purl, licenseList,
                        List.of(location), vendor, null, null));
    }

    private static String value(Attributes attributes, String name) {
        String value = attributes.getValue(name);
        return value == null ? "" : value.strip();
    }

    /** A nested archive's stream: closing it (ZipInputStream does, when done) must not close the outer one. */
    private static final class Unclosable extends FilterInputStream {
        Unclosable(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
